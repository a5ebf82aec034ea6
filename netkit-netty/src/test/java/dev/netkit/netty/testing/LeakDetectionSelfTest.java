package dev.netkit.netty.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

/** Proves the leak check can fail: a buffer dropped without release must be reported. */
class LeakDetectionSelfTest {
    @Test
    void anUnreleasedBufferIsReported() {
        LeakDetectionExtension.quiet = true;
        try {
            leakOne();
            assertThat(LeakDetectionExtension.collectLeaks())
                    .as("the detector must report the buffer this test dropped")
                    .isNotEmpty()
                    .anySatisfy(leak -> assertThat(leak).contains("LEAK"));
        } finally {
            LeakDetectionExtension.quiet = false;
        }
    }

    @Test
    void releasedBuffersAreNotReported() {
        ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(64);
        b.writeLong(42);
        b.release();
        assertThat(LeakDetectionExtension.collectLeaks()).isEmpty();
    }

    private static void leakOne() {
        ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(64);
        b.writeLong(7);
        b = null; // dropped without release(): a leak
    }
}
