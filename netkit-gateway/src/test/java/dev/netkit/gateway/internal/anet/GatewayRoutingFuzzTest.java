package dev.netkit.gateway.internal.anet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.netkit.core.balance.HashKeys;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.ip.IpPolicy;
import dev.netkit.gateway.config.AnetListenerConfig;
import dev.netkit.gateway.config.BindAddress;
import dev.netkit.gateway.config.HashKeyConfig;
import dev.netkit.gateway.config.OnFailure;
import dev.netkit.gateway.config.Payload;
import dev.netkit.gateway.config.PayloadMatch;
import dev.netkit.gateway.config.RouteConfig;
import dev.netkit.gateway.config.ServerLimits;
import dev.netkit.netty.client.Broker;
import dev.netkit.netty.client.BrokerConfig;
import dev.netkit.netty.server.CloseConnectionException;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.testing.FuzzInput;
import dev.netkit.netty.testing.TestServers;
import dev.netkit.netty.wire.AnetWireFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/*
 * Fuzz target: the request-level gateway's request path. The input is an arbitrary route table
 * (catch-alls and prefix matches at any offset, to three clusters, in any order), an optional
 * hash key at any offset and length, on_failure, and a payload. Each cluster is a real Broker
 * talking over loopback to its own real FrameServer, which answers "cluster-name:" + payload.
 *
 * A reference written here (first route whose bytes equal the payload's at the offset, else
 * none; the key is the bytes present in [offset, offset + length)) must agree with:
 *   - the config's validation (a route or key the reference finds impossible is refused with
 *     IllegalArgumentException, and only those);
 *   - AnetListenerConfig.route and CompiledRoutes.match (on a buffer whose reader index is not 0);
 *   - CompiledRoutes.key (XXH64 of the reference's key bytes);
 *   - ForwardingHandler: without a route, no answer (drop) or CloseConnectionException (close);
 *     with one, end to end (below), the answer comes from the reference's cluster with the payload.
 * No other exception, and no buffer byte left live after the request completed.
 *
 * Cost: every check but one runs in this thread in ~20 us. The exception is a routed request's
 * loopback round trip through a broker and a server (~70 us, on other threads), so it runs for the
 * inputs that ask for it: bits 0x30 of the hash-key byte clear, a quarter of random inputs and
 * every seed. The fuzzer cannot drive it to all inputs by chasing coverage, because fuzz.sh
 * instruments only the gateway and core for this target (the broker and the server have their own
 * targets; their I/O threads' coverage would be credited to whichever input ran at the time).
 */
/** Jazzer target for the gateway's routing; see the note above for the invariants. */
class GatewayRoutingFuzzTest {
    private static final String[] CLUSTERS = {"a", "bb", "ccc"};
    private static final List<FrameServer> SERVERS = new ArrayList<>();
    private static final Map<String, Broker> BROKERS = new HashMap<>();

    @BeforeAll
    static void startClusters() {
        for (String name : CLUSTERS) {
            byte[] tag = (name + ":").getBytes(StandardCharsets.UTF_8);
            FrameServer server = FrameServer.builder().config(TestServers.loopback().ioThreads(1).build())
                    .handler(RequestHandler.ofBytes(p -> concat(tag, p))).start();
            SERVERS.add(server);
            BROKERS.put(name, Broker.create(BrokerConfig.builder()
                    .endpoints(List.of(new Endpoint("127.0.0.1", server.localAddress().getPort()))).build()));
        }
    }

    @AfterAll
    static void stopClusters() {
        BROKERS.values().forEach(Broker::close);
        SERVERS.forEach(FrameServer::stop);
        BROKERS.clear();
        SERVERS.clear();
    }

    @FuzzTest(maxDuration = "5m")
    void routeArbitraryPayloadsOverArbitraryRoutes(byte[] data) throws Exception {
        Case c = read(data);
        if (c != null) {
            check(c);
        }
    }

    /** One input: a route table, hash key, on_failure, payload, and whether a routed request goes over loopback. */
    private record Case(List<RouteSpec> specs, AnetListenerConfig config, Optional<HashKeyConfig> hashKey, int keyOffset,
                        int keyLength, OnFailure onFailure, byte[] payload, boolean endToEnd) {}

    /** Reads one input, checking validation on the way; null when no route is valid (refused, checked). */
    private static Case read(byte[] data) {
        FuzzInput in = new FuzzInput(data);
        List<RouteSpec> specs = new ArrayList<>();
        List<RouteConfig> routes = new ArrayList<>();
        for (int n = in.u8() % 6 + 1; n > 0; n--) {
            int kind = in.u8();
            String cluster = CLUSTERS[kind % 3];
            if ((kind & 4) != 0) {
                specs.add(new RouteSpec(0, null, cluster));
                routes.add(RouteConfig.catchAll(cluster));
                continue;
            }
            int offset = (kind & 8) != 0 ? in.u16() : in.u8() % 16;
            byte[] prefix = in.bytes(in.u8() % 5);
            boolean possible = prefix.length > 0 && offset < AnetWireFormat.MAX_PAYLOAD && offset + prefix.length <= AnetWireFormat.MAX_PAYLOAD;
            if (!possible) {
                assertThatThrownBy(() -> new PayloadMatch(offset, Payload.of(prefix))).isInstanceOf(IllegalArgumentException.class);
                continue;
            }
            specs.add(new RouteSpec(offset, prefix, cluster));
            routes.add(new RouteConfig(Optional.of(new PayloadMatch(offset, Payload.of(prefix))), cluster));
        }
        int hk = in.u8();
        Optional<HashKeyConfig> hashKey = Optional.empty();
        int keyOffset = (hk & 2) != 0 ? in.u16() : in.u8() % 16;
        int keyLength = (hk & 4) != 0 ? in.u16() : in.u8() % 12;
        if ((hk & 1) != 0) {
            boolean possible = keyOffset < AnetWireFormat.MAX_PAYLOAD && keyLength >= 1 && keyOffset + keyLength <= AnetWireFormat.MAX_PAYLOAD;
            if (possible) {
                hashKey = Optional.of(new HashKeyConfig(keyOffset, keyLength));
            } else {
                assertThatThrownBy(() -> new HashKeyConfig(keyOffset, keyLength)).isInstanceOf(IllegalArgumentException.class);
            }
        }
        OnFailure onFailure = (hk & 8) != 0 ? OnFailure.CLOSE : OnFailure.DROP;
        byte[] payload = in.bytes(AnetWireFormat.MAX_PAYLOAD); // the server never hands over more
        if (routes.isEmpty()) {
            Optional<HashKeyConfig> key = hashKey;
            assertThatThrownBy(() -> listener(routes, key, onFailure)).isInstanceOf(IllegalArgumentException.class);
            return null;
        }
        boolean endToEnd = (hk & 0x30) == 0;
        return new Case(specs, listener(routes, hashKey, onFailure), hashKey, keyOffset, keyLength, onFailure, payload, endToEnd);
    }

    /** The checks; a routed request is forwarded over loopback only when the input asks for it. */
    private static void check(Case c) throws Exception {
        byte[] payload = c.payload();
        OnFailure onFailure = c.onFailure();
        Optional<HashKeyConfig> hashKey = c.hashKey();
        AnetListenerConfig config = c.config();
        String expected = reference(c.specs(), payload);

        assertThat(config.route(payload).map(RouteConfig::cluster).orElse(null)).as("config's route").isEqualTo(expected);
        CompiledRoutes compiled = CompiledRoutes.of(config, BROKERS::get, null, null);
        UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
        int junk = payload.length % 7; // bytes before the reader index: matching must be relative to it
        ByteBuf request = alloc.heapBuffer(junk + payload.length).writeZero(junk).writeBytes(payload).skipBytes(junk);
        try {
            CompiledRoutes.Route route = compiled.match(request);
            assertThat(route == null ? null : route.cluster()).as("compiled route").isEqualTo(expected);
            assertThat(compiled.hashes()).isEqualTo(hashKey.isPresent());
            if (hashKey.isPresent()) {
                int from = Math.min(c.keyOffset(), payload.length);
                int to = Math.min(c.keyOffset() + c.keyLength(), payload.length);
                byte[] key = Arrays.copyOfRange(payload, from, to);
                assertThat(compiled.key(payload)).as("hash key").isEqualTo(HashKeys.of(key, 0, key.length));
            }
            if (c.endToEnd() || expected == null) {
                forward(compiled, onFailure, request, alloc, expected, payload);
            }
        } finally {
            request.release();
        }
        assertThat(alloc.metric().usedHeapMemory() + alloc.metric().usedDirectMemory()).as("live buffer bytes").isZero();
    }

    private static void forward(CompiledRoutes compiled, OnFailure onFailure, ByteBuf request, UnpooledByteBufAllocator alloc,
                                String expected, byte[] payload) throws Exception {
        AnetCounters counters = new AnetCounters();
        ForwardingHandler handler = new ForwardingHandler(compiled, onFailure, counters);
        CompletableFuture<ByteBuf> stage = handler.handle(request, alloc).toCompletableFuture();
        if (expected == null && onFailure == OnFailure.CLOSE) {
            assertThatThrownBy(() -> stage.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(CloseConnectionException.class);
            return;
        }
        ByteBuf answer = stage.get(10, TimeUnit.SECONDS);
        if (expected == null) {
            assertThat(answer).as("no route, on_failure drop: no answer").isNull();
            assertThat(counters.noRoute.sum()).isEqualTo(1);
            return;
        }
        try {
            byte[] bytes = new byte[answer.readableBytes()];
            answer.getBytes(answer.readerIndex(), bytes);
            assertThat(bytes).as("answer from cluster %s", expected).isEqualTo(concat((expected + ":").getBytes(StandardCharsets.UTF_8), payload));
            assertThat(counters.answered.sum()).isEqualTo(1);
        } finally {
            answer.release();
        }
    }

    private static AnetListenerConfig listener(List<RouteConfig> routes, Optional<HashKeyConfig> hashKey, OnFailure onFailure) {
        return new AnetListenerConfig("fuzz", new BindAddress("127.0.0.1", 0), routes, hashKey, ServerLimits.defaults(),
                onFailure, IpPolicy.allowAll());
    }

    private record RouteSpec(int offset, byte[] prefix, String cluster) {}

    /** The reference: the first route whose prefix equals the payload's bytes at its offset. */
    private static String reference(List<RouteSpec> routes, byte[] payload) {
        for (RouteSpec r : routes) {
            if (r.prefix() == null) {
                return r.cluster();
            }
            if (payload.length >= r.offset() + r.prefix().length) {
                boolean same = true;
                for (int i = 0; i < r.prefix().length; i++) {
                    same &= payload[r.offset() + i] == r.prefix()[i];
                }
                if (same) {
                    return r.cluster();
                }
            }
        }
        return null;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
