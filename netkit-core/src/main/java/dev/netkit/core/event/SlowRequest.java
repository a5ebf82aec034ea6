package dev.netkit.core.event;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.ErrorKind;

/**
 * An attempt of a request took at least the configured slow-request threshold (off by default),
 * answered or not. Not a per-request event: it is the exception, and every listener gets it.
 *
 * @param nanoTime        {@link System#nanoTime()} when the attempt ended
 * @param endpoint        the endpoint the attempt was sent to
 * @param latencyNanos    how long it took
 * @param thresholdNanos  the threshold it reached
 * @param failure         null when it was answered, else why it failed (often {@code TIMEOUT})
 */
public record SlowRequest(long nanoTime, Endpoint endpoint, long latencyNanos, long thresholdNanos, ErrorKind failure)
        implements NetkitEvent {}
