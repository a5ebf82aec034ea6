package dev.netkit.core.pool;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.NetkitException;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The pool's calls to its {@link PoolListener}, and the leak warning. Rare events only. */
final class PoolNotifier {
    private static final Logger log = LoggerFactory.getLogger(ConnectionPool.class);
    private final Endpoint endpoint;
    private final PoolListener listener;
    private final Duration leakThreshold;

    PoolNotifier(Endpoint endpoint, PoolListener listener, Duration leakThreshold) {
        this.endpoint = endpoint;
        this.listener = listener;
        this.leakThreshold = leakThreshold;
    }

    void leakSuspected(Lease<?> lease) {
        log.warn("possible connection leak: a lease of {} to {} has been held for more than {}; acquired at:",
                lease.entry, endpoint, leakThreshold, lease.acquiredAt);
        tell(l -> l.leakSuspected(endpoint, lease.acquiredAt));
    }

    void notifyOpened() {
        tell(l -> l.connectionOpened(endpoint));
    }

    void notifyClosed(CloseReason reason) {
        tell(l -> l.connectionClosed(endpoint, reason));
    }

    void notifyDialFailed(Throwable error) {
        tell(l -> l.dialFailed(endpoint, error));
    }

    void notifyAcquireFailed(NetkitException failure) {
        tell(l -> l.acquireFailed(endpoint, failure));
    }

    /** Calls the listener; what it throws is logged, never passed on to the pool. Rare events only. */
    private void tell(Consumer<PoolListener> call) {
        try {
            call.accept(listener);
        } catch (RuntimeException e) {
            log.warn("pool listener failed", e);
        }
    }
}
