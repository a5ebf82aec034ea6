package dev.netkit.core.retry;

import static dev.netkit.core.internal.Checks.inRange;
import static dev.netkit.core.internal.Checks.positive;

import dev.netkit.core.error.ErrorKind;
import dev.netkit.core.error.NetkitException;
import dev.netkit.core.time.Ticker;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.random.RandomGenerator;

/**
 * When and how a failed request is sent again; immutable, build one with {@link #builder()}.
 * Every value is validated with a message naming the field, its value and what was expected.
 *
 * <p>The policy is configuration only; the {@link RetryBudget} it describes is a live object
 * that must be shared by everything retrying to the same service (so its share caps their sum),
 * so the owner (a broker) creates one with {@link #newBudget(Ticker)} and passes it to
 * {@link #decide} on every failure.
 *
 * <p>Safety: a request is sent again only if it never reached the wire ({@code written} false:
 * the peer cannot have acted on it, whatever it does) or the caller marked it idempotent. The
 * caller knows both facts, so it passes them in; the policy applies the rule
 * ({@link #isSafe(boolean, boolean)}) and the others in {@link #decide}.
 *
 * @param maxAttempts               attempts in all, the first included: 1 = never retry; 1..100;
 *                                  default 2 (one retry, Envoy's {@code num_retries: 1})
 * @param backoffBase               retry {@code n} waits a random time in
 *                                  {@code [0, min(backoffMax, backoffBase × 2^(n-1))]} ("full
 *                                  jitter", as Envoy): default 25 ms (Envoy's)
 * @param backoffMax                the cap; backoffBase..1 h; default 250 ms (Envoy: 10 × base)
 * @param retryOn                   failure kinds worth retrying; default
 *                                  {@link ErrorKind#CONNECTION_LOST} (the connection broke or
 *                                  could not be opened: another may work) and
 *                                  {@link ErrorKind#POOL_CLOSED} (the endpoint was removed
 *                                  meanwhile). Not {@link ErrorKind#TIMEOUT} by default: the
 *                                  broker's timeout is the whole request's deadline, with no time
 *                                  left to retry; nor overload or protocol errors, which a retry
 *                                  would only repeat
 * @param budgetTtl                 the budget's deposit lifetime; default 10 s (Finagle's)
 * @param budgetMinRetriesPerSecond the budget's floor; default 10 (Finagle's)
 * @param budgetPercentCanRetry     the budget's share, a fraction; default 0.2 (Finagle's)
 */
public record RetryPolicy(
        int maxAttempts,
        Duration backoffBase,
        Duration backoffMax,
        Set<ErrorKind> retryOn,
        Duration budgetTtl,
        int budgetMinRetriesPerSecond,
        double budgetPercentCanRetry) {

    private static final Duration MAX_BACKOFF = Duration.ofHours(1);

    /** Validates every field; copies {@code retryOn}. */
    public RetryPolicy {
        inRange("maxAttempts", maxAttempts, 1, 100);
        positive("backoffBase", backoffBase);
        Objects.requireNonNull(backoffMax, "backoffMax");
        if (backoffMax.compareTo(backoffBase) < 0 || backoffMax.compareTo(MAX_BACKOFF) > 0) {
            throw new IllegalArgumentException("backoffMax: " + backoffMax + " (expected: backoffBase " + backoffBase
                    + ".." + MAX_BACKOFF + ")");
        }
        Objects.requireNonNull(retryOn, "retryOn");
        // An EnumSet copy: immutable, and printed in a stable order.
        retryOn = Collections.unmodifiableSet(retryOn.isEmpty() ? EnumSet.noneOf(ErrorKind.class) : EnumSet.copyOf(retryOn));
        RetryBudget.checkTtl("budgetTtl", budgetTtl);
        RetryBudget.checkMinRetriesPerSecond("budgetMinRetriesPerSecond", budgetMinRetriesPerSecond);
        RetryBudget.checkPercentCanRetry("budgetPercentCanRetry", budgetPercentCanRetry);
    }

    /** The defaults (see the class description). */
    public static RetryPolicy defaults() {
        return new Builder().build();
    }

    /** A policy that never retries. */
    public static RetryPolicy none() {
        return new Builder().maxAttempts(1).build();
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this policy. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A new budget with this policy's parameters, to share among everything retrying to one service. */
    public RetryBudget newBudget(Ticker ticker) {
        return new RetryBudget(budgetTtl, budgetMinRetriesPerSecond, budgetPercentCanRetry, ticker);
    }

    /**
     * How long to wait before retry {@code retry} (1 = the first retry): uniformly random in
     * {@code [0, min(backoffMax, backoffBase × 2^(retry-1))]}. Full jitter spreads the clients that
     * failed together over the whole interval, which Envoy and AWS found cuts contention best.
     *
     * @param random the randomness; a seeded generator makes delays reproducible
     */
    public long backoffNanos(int retry, RandomGenerator random) {
        if (retry < 1) {
            throw new IllegalArgumentException("retry: " + retry + " (expected: >= 1)");
        }
        Objects.requireNonNull(random, "random");
        long base = backoffBase.toNanos();
        long max = backoffMax.toNanos();
        int doublings = Math.min(retry - 1, 62);
        // base × 2^doublings > max  <=>  base > max / 2^doublings: no overflow however many retries.
        long cap = base > (max >> doublings) ? max : base << doublings;
        return random.nextLong(cap + 1);
    }

    /**
     * Whether sending the request again cannot make the peer act on it twice: it was never
     * written, or it is idempotent.
     */
    public static boolean isSafe(boolean written, boolean idempotent) {
        return !written || idempotent;
    }

    /**
     * Whether {@code failure} is a kind this policy retries: a {@link NetkitException} whose kind
     * is in {@link #retryOn()}, possibly wrapped by a future ({@link CompletionException},
     * {@link ExecutionException}). Other exceptions (the application's) are not.
     */
    public boolean isRetryable(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof NetkitException e && retryOn.contains(e.kind());
    }

    /**
     * Decides whether to retry an attempt that failed, checking in order: attempts left, the kind
     * of failure, safety, and last the budget, so that a token is withdrawn only for a retry that
     * will really be sent. The owner must call {@link RetryBudget#recordRequest()} once per
     * original request (not per retry).
     *
     * @param attemptsMade attempts sent so far, the failed one included (1 after the first)
     * @param written      whether the failed attempt may have reached the peer (any byte written)
     * @param idempotent   whether the caller marked the request safe to repeat
     * @param failure      what the attempt failed with
     * @param budget       the shared budget
     */
    public RetryDecision decide(int attemptsMade, boolean written, boolean idempotent, Throwable failure,
            RetryBudget budget) {
        if (attemptsMade < 1) {
            throw new IllegalArgumentException("attemptsMade: " + attemptsMade + " (expected: >= 1)");
        }
        Objects.requireNonNull(budget, "budget");
        if (attemptsMade >= maxAttempts) {
            return RetryDecision.NO_ATTEMPTS_LEFT;
        }
        if (!isRetryable(failure)) {
            return RetryDecision.NOT_RETRYABLE;
        }
        if (!isSafe(written, idempotent)) {
            return RetryDecision.UNSAFE;
        }
        return budget.tryWithdraw() ? RetryDecision.RETRY : RetryDecision.NO_BUDGET;
    }

    /** Mutable builder for {@link RetryPolicy}; {@link #build()} validates. */
    public static final class Builder {
        private int maxAttempts = 2;
        private Duration backoffBase = Duration.ofMillis(25);
        private Duration backoffMax = Duration.ofMillis(250);
        private Set<ErrorKind> retryOn = EnumSet.of(ErrorKind.CONNECTION_LOST, ErrorKind.POOL_CLOSED);
        private Duration budgetTtl = Duration.ofSeconds(10);
        private int budgetMinRetriesPerSecond = 10;
        private double budgetPercentCanRetry = 0.2;

        private Builder() {}

        private Builder(RetryPolicy p) {
            maxAttempts = p.maxAttempts;
            backoffBase = p.backoffBase;
            backoffMax = p.backoffMax;
            retryOn = p.retryOn;
            budgetTtl = p.budgetTtl;
            budgetMinRetriesPerSecond = p.budgetMinRetriesPerSecond;
            budgetPercentCanRetry = p.budgetPercentCanRetry;
        }

        /** @see RetryPolicy#maxAttempts() */
        public Builder maxAttempts(int v) { maxAttempts = v; return this; }
        /** @see RetryPolicy#backoffBase() */
        public Builder backoffBase(Duration v) { backoffBase = v; return this; }
        /** @see RetryPolicy#backoffMax() */
        public Builder backoffMax(Duration v) { backoffMax = v; return this; }
        /** @see RetryPolicy#retryOn() */
        public Builder retryOn(Set<ErrorKind> v) { retryOn = v; return this; }
        /** @see RetryPolicy#budgetTtl() */
        public Builder budgetTtl(Duration v) { budgetTtl = v; return this; }
        /** @see RetryPolicy#budgetMinRetriesPerSecond() */
        public Builder budgetMinRetriesPerSecond(int v) { budgetMinRetriesPerSecond = v; return this; }
        /** @see RetryPolicy#budgetPercentCanRetry() */
        public Builder budgetPercentCanRetry(double v) { budgetPercentCanRetry = v; return this; }

        /** Validates and builds the policy. */
        public RetryPolicy build() {
            return new RetryPolicy(maxAttempts, backoffBase, backoffMax, retryOn, budgetTtl,
                    budgetMinRetriesPerSecond, budgetPercentCanRetry);
        }
    }
}
