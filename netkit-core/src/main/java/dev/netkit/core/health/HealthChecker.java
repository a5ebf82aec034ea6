package dev.netkit.core.health;

import dev.netkit.core.endpoint.Endpoint;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * One active health check of an endpoint: a TCP connect, a protocol ping, whatever proves the
 * endpoint can serve. The SPI a {@link HealthCheckRunner} calls on its timer.
 *
 * <p>Must not block the caller: start the work and return a stage. Implementations should stop
 * their own work once {@code timeout} has passed, but need not be exact: the runner enforces the
 * timeout itself and ignores a stage that completes after it.
 */
@FunctionalInterface
public interface HealthChecker {
    /**
     * Starts checking {@code endpoint}.
     *
     * @param timeout how long the check may take (a {@link HealthCheckRunner} passes slightly less
     *                than its configured timeout, which it enforces itself)
     * @return a stage that completes normally when the endpoint is healthy, or exceptionally with
     *         the reason when it is not (a {@link HealthCheckException} with a readable message is
     *         best; the runner reports the message of whatever it gets)
     */
    CompletionStage<Void> check(Endpoint endpoint, Duration timeout);
}
