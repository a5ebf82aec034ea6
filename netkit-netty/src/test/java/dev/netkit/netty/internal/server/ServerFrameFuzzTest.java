package dev.netkit.netty.internal.server;

import static dev.netkit.netty.wire.AnetWireFormat.MAX_PAYLOAD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.netkit.core.time.Ticker;
import dev.netkit.netty.internal.RateLimitedLog;
import dev.netkit.netty.internal.event.Emitter;
import dev.netkit.netty.server.AsyncRequestHandler;
import dev.netkit.netty.server.FrameServerConfig;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.testing.ByteSink;
import dev.netkit.netty.testing.FuzzInput;
import dev.netkit.netty.testing.RecordingLogger;
import dev.netkit.netty.testing.WireFrames;
import dev.netkit.netty.testing.WireFrames.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/*
 * Fuzz target: the server's frame decoder and connection handler (ServerConnection, a
 * FrameReader), exactly as FrameServer wires it, in an EmbeddedChannel. The input chooses the
 * handling mode (an echo on the event loop, or an asynchronous echo the input completes in any
 * order), the per-connection and server-wide in-flight limits, how the byte stream is cut into
 * reads, and how the client ends (half-close or reset). The stream itself is arbitrary bytes.
 *
 * The harness behaves like a socket: it delivers the next read only while autoRead is on, so
 * the server's pauses apply. Checked against a reference parse of the bytes delivered:
 *   - requests are started in arrival order, each frame once, none past a malformed LEN;
 *   - every request completed while the connection is open is answered exactly once, with its
 *     correlation and payload (in order for the event-loop echo); nothing else is written;
 *   - LEN < 4 closes the connection as a protocol violation, with the documented message, after
 *     the answers owed; a half-closed client gets every answer, then the close;
 *   - the server never stays paused with nothing in flight (it would never read again);
 *   - memory: after every read, live buffer bytes are at most one merged cumulation (twice an
 *     incomplete frame plus one read) plus the copies of the requests in flight; LEN is 16 bits,
 *     so the largest frame (65,537 bytes) is the "max frame size" this bound is built on;
 *   - no exception escapes, no handler error, and once closed not one buffer byte is live
 *     (counted exactly by the allocator's metric; paranoid leak detection reports the rest).
 *
 * Cost: a few input bytes ask for a 64 KiB read (the most one socket read gives), so the stream
 * is capped at MAX_STREAM, four of the largest frames: enough for every case above (the largest
 * frame across reads, several large requests in flight), and it keeps one input below ~1 ms.
 * The reference's streams live in arrays reused from input to input, and the per-read checks
 * are plain comparisons (AssertJ builds its description objects even when a check passes).
 */
/** Jazzer target for the server's decoder; see the note above for the invariants. */
class ServerFrameFuzzTest {
    private static final int[] LIMITS = {1, 2, 3, 16};
    private static final int MAX_READ = 65_536;
    private static final int MAX_STREAM = 4 * (2 + 0xFFFF);
    // Reused by every input (the fuzzer runs one at a time, on one thread); reset by each Run.
    private static final ByteSink DELIVERED = new ByteSink(MAX_STREAM);
    private static final ByteSink WRITTEN = new ByteSink(MAX_STREAM);
    private static final byte[] FILL = new byte[MAX_READ];

    @FuzzTest(maxDuration = "5m")
    void arbitraryBytesInArbitraryReads(byte[] data) {
        new Run(new FuzzInput(data)).execute();
    }

    private static final class Run {
        private final FuzzInput in;
        private final boolean async;
        private final boolean halfClose;
        private final boolean answerWithRequest;
        private final int inFlightLimit;
        private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true);
        private final RecordingLogger log = new RecordingLogger("fuzz");
        private final ServerCounters counters = new ServerCounters();
        private final ArrayDeque<Pending> pending = new ArrayDeque<>();
        private final List<byte[]> started = new ArrayList<>();
        private final List<Integer> answeredWhileOpen = new ArrayList<>();
        private final ByteSink delivered = DELIVERED;
        private final ByteSink written = WRITTEN;
        private final EmbeddedChannel ch;
        private final ServerConnection connection;

        private record Pending(int index, ByteBuf request, CompletableFuture<ByteBuf> stage) {}

        Run(FuzzInput in) {
            this.in = in;
            delivered.reset();
            written.reset();
            int mode = in.u8();
            async = (mode & 1) != 0;
            halfClose = (mode & 2) != 0;
            answerWithRequest = (mode & 4) != 0;
            int perConnection = LIMITS[(mode >> 3) & 3];
            int concurrent = LIMITS[(mode >> 5) & 3];
            inFlightLimit = Math.min(perConnection, concurrent);
            FrameServerConfig config = FrameServerConfig.builder()
                    .maxInFlightPerConnection(perConnection).maxConcurrentRequests(concurrent).ioThreads(1).build();
            RequestDispatcher dispatcher = async ? new AsyncDispatcher(asyncEcho()) : new EventLoopDispatcher(echo());
            ServerEvents events = new ServerEvents(new Emitter(null));
            ServerContext context = new ServerContext(config, counters, new ConcurrencyLimiter(concurrent), dispatcher,
                    new RateLimitedLog(log), events, new TrafficShaping(config.limits(), Ticker.system(), counters, events));
            ch = new EmbeddedChannel();
            ch.config().setAllocator(alloc);
            connection = new ServerConnection(context, ch.eventLoop());
            ch.pipeline().addLast("netkit-server", connection);
        }

        private RequestHandler echo() {
            return (request, a) -> {
                started.add(bytesOf(request));
                answeredWhileOpen.add(started.size() - 1);
                return request;
            };
        }

        private AsyncRequestHandler asyncEcho() {
            return (request, a) -> {
                started.add(bytesOf(request));
                CompletableFuture<ByteBuf> stage = new CompletableFuture<>();
                pending.add(new Pending(started.size() - 1, request, stage));
                return stage;
            };
        }

        void execute() {
            while (in.hasMore() && ch.isOpen() && delivered.size() < MAX_STREAM) {
                int op = in.u8();
                switch (op & 3) {
                    case 0, 1 -> {
                        byte[] run = in.bytes((op & 4) != 0 ? in.u16() + 1 : in.u8() + 1);
                        deliver(run, run.length);
                    }
                    case 2 -> {
                        int n = Math.min(in.u16() + 1, MAX_READ);
                        Arrays.fill(FILL, 0, n, (byte) in.u8());
                        deliver(FILL, n);
                    }
                    default -> {
                        for (int i = in.u8() % 8; i >= 0; i--) {
                            completeOne((op & 4) != 0);
                        }
                    }
                }
            }
            end();
            check();
        }

        /** One socket read; like a socket, it waits while the server does not read. */
        private void deliver(byte[] read, int length) {
            while (ch.isOpen() && !ch.config().isAutoRead()) {
                if (!completeOne(false)) {
                    fail("reading is paused with no request in flight: the connection would never read again");
                }
            }
            int n = Math.min(length, MAX_STREAM - delivered.size());
            if (!ch.isOpen() || n == 0) {
                return;
            }
            delivered.write(read, 0, n);
            ch.writeInbound(alloc.directBuffer(n).writeBytes(read, 0, n));
            settle();
            long live = alloc.metric().usedDirectMemory() + alloc.metric().usedHeapMemory();
            long bound = Math.max(4096, 2L * (2 + 0xFFFF + MAX_READ)) + (long) pending.size() * MAX_PAYLOAD;
            if (live > bound) {
                fail("live buffer bytes after a read: %d, above %d (%d requests in flight)", live, bound, pending.size());
            }
        }

        private boolean completeOne(boolean newest) {
            Pending p = newest ? pending.pollLast() : pending.pollFirst();
            if (p == null) {
                return false;
            }
            if (ch.isActive()) {
                answeredWhileOpen.add(p.index());
            }
            ByteBuf request = p.request();
            p.stage().complete(answerWithRequest ? request
                    : alloc.buffer(request.readableBytes()).writeBytes(request, request.readerIndex(), request.readableBytes()));
            settle();
            return true;
        }

        private void end() {
            if (halfClose) {
                if (ch.isOpen()) {
                    ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
                    settle();
                }
                while (completeOne(false)) {
                    // a half-closed client is owed every answer, then the close
                }
            } else {
                for (int n = pending.size() / 2; n > 0; n--) {
                    completeOne(false);
                }
                ch.close(); // the client resets: the rest is answered into the void
                settle();
                while (completeOne(false)) {
                    // discarded and counted
                }
            }
            settle();
        }

        private void settle() {
            ch.runPendingTasks();
            if (ch.isActive() && ch.unsafe().outboundBuffer().totalPendingWriteBytes() != 0) {
                fail("%d bytes written but not flushed once the event loop is idle",
                        ch.unsafe().outboundBuffer().totalPendingWriteBytes());
            }
            for (Object o; (o = ch.readOutbound()) != null; ) {
                ByteBuf b = (ByteBuf) o;
                written.write(b);
                b.release();
            }
        }

        private void check() {
            ch.checkException();
            WireFrames.Parsed sent = WireFrames.parse(delivered.array(), delivered.size());
            List<Frame> frames = sent.frames();
            assertThat(started.size()).as("requests started").isLessThanOrEqualTo(frames.size());
            for (int i = 0; i < started.size(); i++) {
                if (!Arrays.equals(started.get(i), frames.get(i).payload())) {
                    assertThat(started.get(i)).as("request %d started in arrival order", i).isEqualTo(frames.get(i).payload());
                }
            }
            boolean violated = counters.protocolViolations.sum() > 0;
            if (halfClose || !async || violated) {
                assertThat(started).as("every complete frame before the end or a bad LEN is started").hasSameSizeAs(frames);
            }
            if (sent.badLength() >= 0 && (halfClose || !async)) {
                assertThat(violated).as("LEN %d below 4 was seen", sent.badLength()).isTrue();
            }
            if (violated) {
                assertThat(sent.badLength()).as("a violation needs a LEN below 4").isBetween(0, 3);
                assertThat(counters.protocolViolations.sum()).isEqualTo(1);
                assertThat(connection.closeReason()).isEqualTo("protocol_violation");
                assertThat(log.warnings()).first().asString().contains("protocol violation: frame length " + sent.badLength()
                        + " is below the minimum of 4");
            } else {
                assertThat(connection.closeReason()).as("close reason; warnings: %s", log.warnings()).isEqualTo("peer_closed");
            }
            assertThat(ch.isOpen()).as("the connection is closed in the end").isFalse();
            checkAnswers(frames);
            assertThat(counters.handlerErrors.sum()).isZero();
            assertThat(counters.requests.sum()).isEqualTo(started.size());
            ch.finishAndReleaseAll();
            assertThat(alloc.metric().usedDirectMemory() + alloc.metric().usedHeapMemory())
                    .as("buffer bytes still live after the connection closed").isZero();
        }

        private void checkAnswers(List<Frame> frames) {
            WireFrames.Parsed out = WireFrames.parse(written.array(), written.size());
            assertThat(out.badLength()).as("answers are well-formed frames").isEqualTo(-1);
            assertThat(out.trailing()).as("no partial answer written").isZero();
            List<Frame> expected = answeredWhileOpen.stream().map(frames::get).toList();
            // AssertJ only to explain a difference: its any-order check is quadratic in the frames.
            if (async && !WireFrames.sameInAnyOrder(out.frames(), expected)) {
                assertThat(out.frames()).as("answers (any order)").containsExactlyInAnyOrderElementsOf(expected);
            } else if (!async && !out.frames().equals(expected)) {
                assertThat(out.frames()).as("answers (arrival order)").containsExactlyElementsOf(expected);
            }
            assertThat(counters.responses.sum()).isEqualTo(expected.size());
        }

        private static byte[] bytesOf(ByteBuf b) {
            byte[] bytes = new byte[b.readableBytes()];
            b.getBytes(b.readerIndex(), bytes);
            return bytes;
        }
    }
}
