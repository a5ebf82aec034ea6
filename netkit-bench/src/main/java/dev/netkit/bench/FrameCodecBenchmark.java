package dev.netkit.bench;

import static dev.netkit.netty.wire.AnetWireFormat.CORRELATION_SIZE;
import static dev.netkit.netty.wire.AnetWireFormat.HEADER_SIZE;

import dev.netkit.netty.internal.FrameBatchWriter;
import dev.netkit.netty.internal.FrameReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/*
 * What this measures, and what it does not.
 *
 * decode: FrameReader (the wire-format v1 decoder of both server and broker) finding FRAMES
 * frames with 64-byte payloads in the inbound bytes, through a Netty EmbeddedChannel. The
 * subclass only reads each frame's correlation id, as the real handlers do before dispatching.
 * readSize = 0 hands the whole batch over as one buffer (one big socket read of whole frames: no
 * copy); readSize = 4096 cuts the same bytes into 4 KiB reads, so frames straddle reads and the
 * decoder has to merge the unread rest with the next read (the copy path).
 *
 * encode: writing FRAMES frames with 64-byte payloads and flushing every framesPerFlush frames,
 * either through FrameBatchWriter (frames appended to one buffer per flush) or with one ByteBuf
 * per frame. The EmbeddedChannel's transport only queues what is flushed; the benchmark then
 * releases it. So this is the Java-side cost (allocation, outbound-buffer entries, copies) and not
 * the iovec/syscall cost of a real socket, which the per-frame variant would pay on top.
 *
 * Scores are ns per frame (@OperationsPerInvocation). Netty's leak detector is off in the forks
 * (its sampling would add stack-trace captures to some allocations); the allocator is Netty's
 * default (ByteBufAllocator.DEFAULT).
 */
/** Cost per frame of decoding and encoding wire-format v1 frames with 64-byte payloads. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled"})
public class FrameCodecBenchmark {
    static final int FRAMES = 1024;
    static final int PAYLOAD = 64;
    static final int FRAME_BYTES = HEADER_SIZE + PAYLOAD;

    /** Decoding: one batch of FRAMES frames per invocation. */
    @State(Scope.Thread)
    public static class DecodeState {
        /** Bytes per simulated socket read; 0 = the whole batch in one read. */
        @Param({"0", "4096"})
        public int readSize;

        CountingReader reader;
        EmbeddedChannel channel;
        ByteBuf wire;
        final List<ByteBuf> reads = new ArrayList<>();

        @Setup(Level.Trial)
        public void setup() {
            wire = ByteBufAllocator.DEFAULT.directBuffer(FRAMES * FRAME_BYTES);
            for (int i = 0; i < FRAMES; i++) {
                wire.writeShort(CORRELATION_SIZE + PAYLOAD).writeInt(i + 1);
                for (int b = 0; b < PAYLOAD; b++) {
                    wire.writeByte('a' + b % 26);
                }
            }
            reader = new CountingReader();
            channel = new EmbeddedChannel(reader);
            // Proof of work: one batch must yield exactly FRAMES frames with the ids written.
            decodeOnce();
            if (reader.frames != FRAMES || reader.idSum != (long) FRAMES * (FRAMES + 1) / 2) {
                throw new IllegalStateException("decoded " + reader.frames + " frames, id sum " + reader.idSum);
            }
        }

        /** Feeds one batch; the reader owns (and releases) every buffer it is given. */
        long decodeOnce() {
            if (readSize == 0) {
                channel.writeInbound(wire.retainedDuplicate());
            } else {
                for (int offset = 0; offset < wire.writerIndex(); offset += readSize) {
                    int length = Math.min(readSize, wire.writerIndex() - offset);
                    channel.writeInbound(wire.retainedSlice(offset, length));
                }
            }
            return reader.idSum;
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (reader.frames % FRAMES != 0) {
                throw new IllegalStateException("a batch was decoded partially: " + reader.frames + " frames");
            }
            channel.finishAndReleaseAll();
            wire.release();
        }
    }

    /** Encoding: FRAMES frames per invocation, flushed every framesPerFlush. */
    @State(Scope.Thread)
    public static class EncodeState {
        /** Frames written between two flushes (a read batch's worth of responses). */
        @Param({"16", "1024"})
        public int framesPerFlush;

        EmbeddedChannel channel;
        ChannelHandlerContext ctx;
        FrameBatchWriter writer;
        ByteBuf payload;

        @Setup(Level.Trial)
        public void setup() {
            channel = new EmbeddedChannel(new ChannelDuplexHandler());
            ctx = channel.pipeline().firstContext();
            writer = new FrameBatchWriter();
            payload = ByteBufAllocator.DEFAULT.directBuffer(PAYLOAD);
            for (int b = 0; b < PAYLOAD; b++) {
                payload.writeByte('a' + b % 26);
            }
        }

        /** Releases what the channel "sent" and returns its byte count (to check both variants agree). */
        long drain() {
            long bytes = 0;
            Object msg;
            while ((msg = channel.readOutbound()) != null) {
                bytes += ((ByteBuf) msg).readableBytes();
                ReferenceCountUtil.release(msg);
            }
            return bytes;
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            writer.discard();
            drain();
            channel.finishAndReleaseAll();
            payload.release();
        }
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long decode(DecodeState s) {
        return s.decodeOnce();
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long encodeBatchWriter(EncodeState s) {
        long bytes = 0;
        for (int i = 0; i < FRAMES; i++) {
            s.writer.write(s.ctx, i, s.payload);
            if ((i + 1) % s.framesPerFlush == 0) {
                s.writer.flush(s.ctx);
                bytes += s.drain();
            }
        }
        return check(bytes);
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long encodeBufferPerFrame(EncodeState s) {
        long bytes = 0;
        ByteBuf payload = s.payload;
        for (int i = 0; i < FRAMES; i++) {
            ByteBuf frame = s.ctx.alloc().directBuffer(FRAME_BYTES);
            frame.writeShort(CORRELATION_SIZE + PAYLOAD).writeInt(i).writeBytes(payload, payload.readerIndex(), PAYLOAD);
            s.ctx.write(frame, s.ctx.voidPromise());
            if ((i + 1) % s.framesPerFlush == 0) {
                s.ctx.flush();
                bytes += s.drain();
            }
        }
        return check(bytes);
    }

    private static long check(long bytes) {
        if (bytes != (long) FRAMES * FRAME_BYTES) {
            throw new IllegalStateException("encoded " + bytes + " bytes, expected " + (long) FRAMES * FRAME_BYTES);
        }
        return bytes;
    }

    /** Counts frames and sums their correlation ids, like a handler that reads the id in place. */
    static final class CountingReader extends FrameReader {
        long frames;
        long idSum;

        @Override
        protected void onFrame(ChannelHandlerContext ctx, ByteBuf buf, int correlationIndex, int payloadLength) {
            frames++;
            idSum += buf.getInt(correlationIndex) + payloadLength - PAYLOAD;
        }

        @Override
        protected void onProtocolViolation(ChannelHandlerContext ctx, String reason) {
            throw new IllegalStateException("protocol violation in benchmark input: " + reason);
        }
    }
}
