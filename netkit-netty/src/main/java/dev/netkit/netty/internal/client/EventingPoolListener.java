package dev.netkit.netty.internal.client;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.NetkitException;
import dev.netkit.core.event.ConnectionClosed;
import dev.netkit.core.event.ConnectionOpened;
import dev.netkit.core.event.PoolExhausted;
import dev.netkit.core.event.Side;
import dev.netkit.core.pool.AcquireTimeoutException;
import dev.netkit.core.pool.CloseReason;
import dev.netkit.core.pool.PoolExhaustedException;
import dev.netkit.core.pool.PoolListener;
import dev.netkit.netty.internal.event.Emitter;

/**
 * Turns a pool's connection changes and refused acquires into events, then passes every call on.
 * Connection events go to the bus only, and only when it listens (connection churn can be high);
 * an exhausted pool also goes to JFR.
 */
public final class EventingPoolListener implements PoolListener {
    private final Emitter emitter;
    private final PoolListener next;

    public EventingPoolListener(Emitter emitter, PoolListener next) {
        this.emitter = emitter;
        this.next = next;
    }

    @Override
    public void connectionOpened(Endpoint endpoint) {
        if (emitter.wanted(ConnectionOpened.class)) {
            emitter.bus(new ConnectionOpened(System.nanoTime(), endpoint, Side.CLIENT));
        }
        next.connectionOpened(endpoint);
    }

    @Override
    public void connectionClosed(Endpoint endpoint, CloseReason reason) {
        if (emitter.wanted(ConnectionClosed.class)) {
            emitter.bus(new ConnectionClosed(System.nanoTime(), endpoint, Side.CLIENT, reason.label()));
        }
        next.connectionClosed(endpoint, reason);
    }

    @Override
    public void acquireFailed(Endpoint endpoint, NetkitException failure) {
        // Endpoint-down failures are not exhaustion: the dial failed, and that shows as ejection.
        if (failure instanceof PoolExhaustedException e) {
            emitter.rare(new PoolExhausted(System.nanoTime(), endpoint, PoolExhausted.MAX_PENDING, e.stats().summary()));
        } else if (failure instanceof AcquireTimeoutException e) {
            emitter.rare(new PoolExhausted(System.nanoTime(), endpoint, PoolExhausted.ACQUIRE_TIMEOUT, e.stats().summary()));
        }
        next.acquireFailed(endpoint, failure);
    }

    @Override
    public void dialFailed(Endpoint endpoint, Throwable cause) {
        next.dialFailed(endpoint, cause);
    }

    @Override
    public void leakSuspected(Endpoint endpoint, Throwable acquiredAt) {
        next.leakSuspected(endpoint, acquiredAt);
    }
}
