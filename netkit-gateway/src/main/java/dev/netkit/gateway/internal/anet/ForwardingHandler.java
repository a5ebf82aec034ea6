package dev.netkit.gateway.internal.anet;

import dev.netkit.gateway.config.OnFailure;
import dev.netkit.netty.client.RequestOptions;
import dev.netkit.netty.server.AsyncRequestHandler;
import dev.netkit.netty.server.CloseConnectionException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/*
 * Design note. The request-level proxy is a FrameServer whose async handler is this class, and one
 * Broker per cluster; all of them run on the gateway's shared IoGroup. A client frame is decoded by
 * the server (limits, read/idle/write timeouts, per-connection and per-listener in-flight bounds
 * that pause reading: the server's backpressure), routed here by its payload bytes, and sent by the
 * cluster's broker, which balances it, multiplexes it on a few upstream connections under a fresh
 * correlation id, applies the deadline and retries a never-written request on another endpoint.
 * The server puts the client's own correlation id on the answer, and completes every request
 * exactly once: with the upstream's answer, or with the listener's on_failure behaviour. When the
 * client has left, the server discards the late answer and counts it.
 *
 * Routes and clusters are one immutable CompiledRoutes, swapped by a reload with one volatile
 * write: requests in flight finish on the broker they were sent with.
 */
/** The async handler of a request-level listener: route, forward, answer or fail as configured. */
final class ForwardingHandler implements AsyncRequestHandler {
    private final AnetCounters counters;
    private volatile CompiledRoutes routes;
    private volatile OnFailure onFailure;

    ForwardingHandler(CompiledRoutes routes, OnFailure onFailure, AnetCounters counters) {
        this.routes = routes;
        this.onFailure = onFailure;
        this.counters = counters;
    }

    void update(CompiledRoutes nextRoutes, OnFailure nextOnFailure) {
        routes = nextRoutes;
        onFailure = nextOnFailure;
    }

    CompiledRoutes routes() {
        return routes;
    }

    @Override
    public CompletionStage<ByteBuf> handle(ByteBuf request, ByteBufAllocator alloc) {
        counters.requests.increment();
        CompiledRoutes current = routes;
        CompiledRoutes.Route route = current.match(request);
        if (route == null) {
            counters.noRoute.increment();
            return failed();
        }
        if (route.limiter() != null && !route.limiter().tryAcquire()) {
            counters.rateLimited.increment(); // policing: not sent upstream; the client sees on_failure
            return failed();
        }
        byte[] payload = new byte[request.readableBytes()];
        request.getBytes(request.readerIndex(), payload);
        RequestOptions options = current.hashes() ? route.options().withKey(current.key(payload)) : route.options();
        return route.broker().send(payload, options).handle(this::answer);
    }

    private ByteBuf answer(byte[] response, Throwable error) {
        if (error == null) {
            counters.answered.increment();
            return Unpooled.wrappedBuffer(response);
        }
        counters.failed(error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
        return failAs(onFailure);
    }

    private CompletionStage<ByteBuf> failed() {
        try {
            return CompletableFuture.completedFuture(failAs(onFailure));
        } catch (CloseConnectionException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** anet v1 has no error frame: no answer at all, or the client's connection closed. */
    private ByteBuf failAs(OnFailure how) {
        if (how == OnFailure.CLOSE) {
            counters.closedClients.increment();
            throw new CloseConnectionException("a request could not be served and on_failure is close");
        }
        counters.dropped.increment();
        return null; // the server sends nothing for this request
    }
}
