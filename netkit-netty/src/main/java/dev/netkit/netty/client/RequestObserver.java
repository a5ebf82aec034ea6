package dev.netkit.netty.client;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.ErrorKind;

/**
 * Told how each attempt of each request ended, for metrics and events: the endpoint it went to,
 * how long it took, and how it failed. An attempt that was retried elsewhere is reported too
 * ({@code retried}), so a request can be reported more than once, once per endpoint it tried.
 *
 * <p>Called on the thread that completed the attempt, usually the broker's I/O thread: it must
 * be fast and must not block (hand slow work to another thread). What it throws is logged and
 * ignored. Without an observer the broker pays one null check per attempt.
 */
@FunctionalInterface
public interface RequestObserver {
    /**
     * An attempt ended.
     *
     * @param endpoint     where it was sent
     * @param latencyNanos from the request's send (or the retry's dispatch) to its outcome
     * @param failure      null for a response, else why it failed
     * @param retried      whether the broker sent it again to another endpoint
     */
    void attemptFinished(Endpoint endpoint, long latencyNanos, ErrorKind failure, boolean retried);
}
