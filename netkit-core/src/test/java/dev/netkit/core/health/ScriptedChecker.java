package dev.netkit.core.health;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.time.Ticker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A fake {@link HealthChecker} that answers each call with the next scripted outcome, or with
 * {@link #whenEmpty} once the script is used up. Records every call with the time it was made,
 * and how many calls were unfinished at once.
 */
final class ScriptedChecker implements HealthChecker {
    enum Outcome { PASS, FAIL, HANG, THROW, NULL }

    /** One call: when it was made, and its stage (complete a HANG by hand). */
    record Call(long at, Duration timeout, CompletableFuture<Void> future) {}

    private final Ticker ticker;
    private final Deque<Outcome> script = new ArrayDeque<>();
    private final List<Call> calls = new ArrayList<>();
    private Outcome whenEmpty = Outcome.PASS;
    private int unfinished;
    private int maxUnfinished;

    ScriptedChecker(Ticker ticker) {
        this.ticker = ticker;
    }

    synchronized ScriptedChecker then(Outcome... outcomes) {
        script.addAll(List.of(outcomes));
        return this;
    }

    synchronized ScriptedChecker whenEmpty(Outcome outcome) {
        whenEmpty = outcome;
        return this;
    }

    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    synchronized Call call(int i) {
        return calls.get(i);
    }

    synchronized int maxUnfinished() {
        return maxUnfinished;
    }

    @Override
    public synchronized CompletionStage<Void> check(Endpoint endpoint, Duration timeout) {
        Outcome outcome = script.isEmpty() ? whenEmpty : script.poll();
        CompletableFuture<Void> future = new CompletableFuture<>();
        calls.add(new Call(ticker.nanoTime(), timeout, future));
        switch (outcome) {
            case PASS -> future.complete(null);
            case FAIL -> future.completeExceptionally(
                    new HealthCheckException(HealthCheckException.Kind.CONNECT_FAILED, "connect to " + endpoint + " refused"));
            case HANG -> {
                unfinished++;
                maxUnfinished = Math.max(maxUnfinished, unfinished);
                future.whenComplete((v, e) -> finished());
            }
            case THROW -> throw new IllegalStateException("boom");
            case NULL -> {
                return null;
            }
        }
        return future;
    }

    private synchronized void finished() {
        unfinished--;
    }
}
