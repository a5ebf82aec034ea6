package dev.netkit.netty.internal.client;

import dev.netkit.core.pool.Validator;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Validates an idle broker connection by sending a configured payload as an ordinary request:
 * any answer before the deadline proves the peer is there and reading. The pool holds the
 * connection's claim while this runs, so the ping carries no lease of its own.
 */
public final class PingValidator implements Validator<BrokerConnection> {
    private final byte[] payload;
    private final long timeoutNanos;

    public PingValidator(byte[] payload, Duration timeout) {
        this.payload = payload.clone();
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public CompletionStage<Boolean> validate(BrokerConnection connection) {
        PendingRequest ping = PendingRequest.ping(payload, System.nanoTime() + timeoutNanos);
        connection.submit(ping);
        return ping.thenApply(answer -> Boolean.TRUE);
    }
}
