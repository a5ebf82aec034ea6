package dev.netkit.netty.internal.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.ConnectionLostException;
import dev.netkit.core.error.ProtocolViolationException;
import dev.netkit.core.error.RequestTimeoutException;
import dev.netkit.core.pool.ConnectionPool;
import dev.netkit.core.pool.Connector;
import dev.netkit.core.pool.Lease;
import dev.netkit.core.pool.PoolConfig;
import dev.netkit.core.time.ManualScheduler;
import dev.netkit.netty.internal.RateLimitedLog;
import dev.netkit.netty.testing.FuzzInput;
import dev.netkit.netty.testing.RecordingLogger;
import dev.netkit.netty.testing.WireFrames;
import dev.netkit.netty.testing.WireFrames.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/*
 * Fuzz target: the broker's response decoder (BrokerConnection, a FrameReader) on a connection
 * leased from a real ConnectionPool, in an EmbeddedChannel. The input interleaves: sending
 * requests (some with a deadline already past), cancelling them, queueing well-formed responses
 * for chosen requests (right or unknown ids, any payload) and arbitrary bytes, and delivering
 * what is queued in arbitrary reads. At the end the upstream closes.
 *
 * A model of the connection, fed the same bytes, predicts each request's outcome:
 *   - a response to a request in flight completes it with exactly that payload;
 *   - a response to an id handed out before but no longer in flight (answered, cancelled,
 *     timed out) is late: discarded and counted;
 *   - an id never handed out, or LEN < 4, is a protocol violation: the connection closes and
 *     every request in flight fails with ProtocolViolationException;
 *   - the upstream closing fails the rest with ConnectionLostException.
 * Checked: each request's outcome and payload, the frames written (each request once, under the
 * id the model expects), the counters, every pool lease ended exactly once (a second end
 * throws), no exception escaping, live buffer bytes bounded after every read and zero at the end.
 */
/** Jazzer target for the broker's decoder; see the note above for the invariants. */
class BrokerFrameFuzzTest {
    private static final Endpoint ENDPOINT = new Endpoint("127.0.0.1", 7);
    private static final int MAX_IN_FLIGHT = 16;

    @FuzzTest(maxDuration = "5m")
    void responsesWithRequestsInFlight(byte[] data) throws Exception {
        new Run(new FuzzInput(data)).execute();
    }

    private sealed interface Outcome {}
    private record Waiting() implements Outcome {}
    private record Answered(byte[] payload) implements Outcome {}
    private record Failed(Class<? extends Throwable> type) implements Outcome {}

    private static final class Run {
        private final FuzzInput in;
        private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true);
        private final RecordingLogger log = new RecordingLogger("fuzz");
        private final BrokerCounters counters = new BrokerCounters();
        private final ManualScheduler scheduler = new ManualScheduler();
        private final ConnectionPool<BrokerConnection> pool;
        private EmbeddedChannel ch;
        private final List<PendingRequest> requests = new ArrayList<>();
        private final List<Frame> expectedWrites = new ArrayList<>();
        private final List<Outcome> model = new ArrayList<>();
        private final Map<Integer, Integer> inFlight = new HashMap<>(); // id -> request index
        private final ByteArrayOutputStream queued = new ByteArrayOutputStream();
        private final ByteArrayOutputStream written = new ByteArrayOutputStream();
        private byte[] unparsed = new byte[0];
        private int issued;
        private int late;
        private int answered;
        private int expired;
        private boolean violated;

        Run(FuzzInput in) {
            this.in = in;
            PoolConfig config = PoolConfig.builder().maxTotal(1).minIdle(0).maxLeasesPerConnection(MAX_IN_FLIGHT).build();
            pool = ConnectionPool.builder(ENDPOINT, connector()).config(config).time(scheduler.ticker(), scheduler).build();
        }

        private Connector<BrokerConnection> connector() {
            return new Connector<>() {
                @Override
                public CompletionStage<BrokerConnection> connect(Endpoint endpoint, Runnable onClosed) {
                    assertThat(ch).as("one connection per run").isNull();
                    BrokerConnection c = new BrokerConnection(endpoint, MAX_IN_FLIGHT, counters, new RateLimitedLog(log), onClosed);
                    ch = new EmbeddedChannel(c); // registered and active: the connection is open
                    ch.config().setAllocator(alloc);
                    c.bindLoop(ch.eventLoop());
                    return c.ready().thenApply(v -> c);
                }

                @Override
                public boolean isUsable(BrokerConnection c) {
                    return c.isUsable();
                }

                @Override
                public void close(BrokerConnection c) {
                    c.close(new ConnectionLostException("closed by its pool"));
                }
            };
        }

        void execute() throws Exception {
            Lease<BrokerConnection> first = pool.acquire().get(5, TimeUnit.SECONDS); // dials the one connection
            send(first, new byte[] {1}, false);
            while (in.hasMore()) {
                int op = in.u8();
                switch (op % 6) {
                    case 0 -> {
                        Lease<BrokerConnection> lease = pool.tryAcquire();
                        byte[] payload = in.bytes(in.u8() % 32);
                        boolean pastDeadline = (op & 8) != 0;
                        if (lease != null) {
                            send(lease, payload, pastDeadline);
                        }
                    }
                    case 1 -> {
                        int id = requests.isEmpty() || (op & 8) != 0 ? in.i32() : idOf(in.u8() % requests.size());
                        queued.writeBytes(new Frame(id, in.bytes(in.u8())).encode());
                    }
                    case 2 -> queued.writeBytes(in.bytes(in.u8() + 1));
                    case 3 -> deliverQueued();
                    case 4 -> {
                        if (!requests.isEmpty()) {
                            cancel(in.u8() % requests.size());
                        }
                    }
                    default -> settle();
                }
            }
            deliverQueued();
            end();
            check();
        }

        private int idOf(int index) {
            return index + 1; // ids count up from 1 per connection, one per request written
        }

        private void send(Lease<BrokerConnection> lease, byte[] payload, boolean pastDeadline) {
            long deadline = pastDeadline ? System.nanoTime() - 1 : System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            PendingRequest r = new PendingRequest(payload, deadline);
            r.attach(lease);
            requests.add(r);
            int id = ++issued;
            expectedWrites.add(new Frame(id, payload));
            inFlight.put(id, requests.size() - 1);
            model.add(new Waiting());
            lease.connection().submit(r);
            settle();
            if (pastDeadline) { // the deadline sweep ran in settle(): timed out, its id now late
                expired++;
                inFlight.remove(id);
                model.set(requests.size() - 1, new Failed(RequestTimeoutException.class));
            }
        }

        private void cancel(int index) {
            PendingRequest r = requests.get(index);
            boolean wasDone = r.isDone(); // cancel() also answers true for a request cancelled before
            if (r.cancel(false) && !wasDone) {
                assertThat(model.get(index)).as("only a waiting request can be cancelled").isInstanceOf(Waiting.class);
                model.set(index, new Failed(CancellationException.class));
                inFlight.remove(idOf(index));
            }
            settle();
        }

        /** Delivers what is queued in up to three reads, cut where the input says. */
        private void deliverQueued() {
            byte[] all = queued.toByteArray();
            queued.reset();
            int from = 0;
            for (int piece = 0; piece < 3 && from < all.length; piece++) {
                int size = piece == 2 ? all.length - from : Math.min(all.length - from, in.u16() + 1);
                deliver(Arrays.copyOfRange(all, from, from + size));
                from += size;
            }
        }

        private void deliver(byte[] read) {
            if (!ch.isOpen() || read.length == 0) {
                return;
            }
            ch.writeInbound(alloc.directBuffer(read.length).writeBytes(read));
            settle();
            modelRead(read);
            long live = alloc.metric().usedDirectMemory() + alloc.metric().usedHeapMemory();
            assertThat(live).as("live buffer bytes after a read").isLessThanOrEqualTo(Math.max(4096, 2L * (2 + 0xFFFF + read.length)) + 65_536);
        }

        /** What the connection must have done with the bytes it has now received. */
        private void modelRead(byte[] read) {
            if (violated) {
                return;
            }
            byte[] buf = Arrays.copyOf(unparsed, unparsed.length + read.length);
            System.arraycopy(read, 0, buf, unparsed.length, read.length);
            WireFrames.Parsed parsed = WireFrames.parse(buf);
            int used = 0;
            for (Frame f : parsed.frames()) {
                used += 6 + f.payload().length;
                Integer index = inFlight.remove(f.correlation());
                if (index != null) {
                    model.set(index, new Answered(f.payload()));
                    answered++;
                } else if (Integer.compareUnsigned(f.correlation() - 1, issued) < 0) {
                    late++;
                } else {
                    violate();
                    return;
                }
            }
            if (parsed.badLength() >= 0) {
                violate();
                return;
            }
            unparsed = Arrays.copyOfRange(buf, used, buf.length);
        }

        private void violate() {
            violated = true;
            failInFlight(ProtocolViolationException.class);
        }

        private void failInFlight(Class<? extends Throwable> type) {
            for (int index : inFlight.values()) {
                model.set(index, new Failed(type));
            }
            inFlight.clear();
        }

        private void end() {
            if (ch.isOpen()) {
                ch.close(); // the upstream goes away
            }
            settle();
            if (!violated) {
                failInFlight(ConnectionLostException.class);
            }
            pool.close();
            scheduler.runDue();
            settle();
        }

        private void settle() {
            ch.runPendingTasks();
            scheduler.runDue();
            for (Object o; (o = ch.readOutbound()) != null; ) {
                ByteBuf b = (ByteBuf) o;
                byte[] bytes = new byte[b.readableBytes()];
                b.getBytes(b.readerIndex(), bytes);
                written.writeBytes(bytes);
                b.release();
            }
        }

        private void check() {
            ch.checkException();
            assertThat(ch.isOpen()).isFalse();
            WireFrames.Parsed out = WireFrames.parse(written.toByteArray());
            assertThat(out.frames()).as("frames written: each request once, ids 1, 2, 3 ...").containsExactlyElementsOf(expectedWrites);
            assertThat(out.trailing()).isZero();
            for (int i = 0; i < requests.size(); i++) {
                PendingRequest r = requests.get(i);
                switch (model.get(i)) {
                    case Answered a -> assertThat(r.getNow(null)).as("request %d's answer", i).isEqualTo(a.payload());
                    case Failed f -> assertThat(r.isCompletedExceptionally()).as("request %d failed", i).isTrue();
                    case Waiting w -> throw new AssertionError("the model left request " + i + " waiting");
                }
                if (model.get(i) instanceof Failed f) {
                    Throwable cause = r.isCancelled() ? new CancellationException() : r.exceptionNow();
                    assertThat(cause).as("request %d's failure", i).isInstanceOf(f.type());
                }
            }
            assertThat(counters.protocolViolations.sum()).as("protocol violations; log %s", log.warnings()).isEqualTo(violated ? 1 : 0);
            assertThat(counters.responses.sum()).as("responses").isEqualTo(answered);
            assertThat(counters.lateResponses.sum()).as("late responses").isEqualTo(late);
            assertThat(counters.timeouts.sum()).as("timeouts").isEqualTo(expired);
            assertThat(counters.openConnections.get()).isZero();
            assertThat(pool.inFlight()).as("leases still out").isZero();
            ch.finishAndReleaseAll();
            assertThat(alloc.metric().usedDirectMemory() + alloc.metric().usedHeapMemory())
                    .as("buffer bytes still live after the connection closed").isZero();
        }
    }
}
