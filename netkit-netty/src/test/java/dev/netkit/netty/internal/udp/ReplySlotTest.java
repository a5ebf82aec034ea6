package dev.netkit.netty.internal.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The reply slot's ring: a buffer is handed out again only once whoever sent it released it. */
class ReplySlotTest {
    private final PooledByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;

    @Test
    void aSentAnswersBufferComesBackFromTheRingAndOneStillQueuedIsNeverOverwritten() {
        ReplySlot slot = new ReplySlot(allocator, ReplySlot.RING_BYTES); // a ring of one
        ByteBuf first = slot.reply(8).writeLong(1);
        assertThat(slot.take()).isSameAs(first);
        assertThat(first.refCnt()).as("the slot's reference and the caller's").isEqualTo(2);

        ByteBuf whileQueued = slot.reply(8);
        assertThat(whileQueued).as("the ring's buffer is still queued: a fresh one").isNotSameAs(first);
        slot.take().release();

        first.release(); // the socket sent it
        ByteBuf again = slot.reply(8);
        assertThat(again).as("reused once released").isSameAs(first);
        assertThat(again.readableBytes()).as("cleared").isZero();
        slot.take().release();
        slot.close();
        assertThat(first.refCnt()).isZero();
    }

    @Test
    void closeLeavesAQueuedBufferToItsSocketAndANonReusingSlotAllocatesEachTime() {
        ReplySlot slot = new ReplySlot(allocator, 2048);
        ByteBuf queued = slot.reply(4).writeInt(7);
        slot.take();
        slot.close();
        assertThat(queued.refCnt()).as("the socket's reference is still there").isEqualTo(1);
        queued.release();

        ReplySlot once = new ReplySlot(allocator, 2048, false);
        ByteBuf a = once.reply(4);
        once.take().release();
        assertThat(a.refCnt()).isZero();
        assertThatThrownBy(() -> once.reply(2049)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2049").hasMessageContaining("maxDatagramSize");
    }
}
