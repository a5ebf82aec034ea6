package dev.netkit.netty.testing;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Bounded waits on futures for tests. */
public final class Futures {
    private Futures() {}

    /** Waits up to 10 s for {@code future} to fail and returns why; fails the test if it succeeds or hangs. */
    public static Throwable failureOf(CompletableFuture<?> future) throws InterruptedException {
        try {
            future.get(10, TimeUnit.SECONDS);
            throw new AssertionError("expected the request to fail, but it succeeded");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("the request did not complete within 10 s", e);
        }
    }
}
