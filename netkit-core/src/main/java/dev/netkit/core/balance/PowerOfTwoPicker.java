package dev.netkit.core.balance;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Power of two choices on outstanding requests per unit of weight. The two candidates are always
 * distinct (drawing the second from the other n - 1 endpoints), so an endpoint is never compared
 * with itself, the flaw HAProxy users reported; with one endpoint there is no choice to make.
 */
final class PowerOfTwoPicker implements Picker {
    private final List<EndpointState> list;
    private final EndpointState[] endpoints;
    private final int[] weights;

    PowerOfTwoPicker(List<EndpointState> endpoints) {
        this.list = endpoints;
        this.endpoints = endpoints.toArray(EndpointState[]::new);
        this.weights = Weights.of(endpoints);
    }

    @Override
    public EndpointState pick() {
        int n = endpoints.length;
        if (n == 1) {
            return endpoints[0];
        }
        long pair = drawPair(n, ThreadLocalRandom.current());
        int a = (int) (pair >>> 32);
        int b = (int) pair;
        EndpointState first = endpoints[a];
        EndpointState second = endpoints[b];
        return lighter(second.outstanding(), weights[b], first.outstanding(), weights[a]) ? second : first;
    }

    /**
     * Whether (outstanding + 1) / weight is strictly smaller for the first than for the second,
     * compared by cross-multiplying in long (no division, no rounding). With equal weights this
     * is exactly {@code outstanding < otherOutstanding}, so one formula serves both cases.
     */
    static boolean lighter(int outstanding, int weight, int otherOutstanding, int otherWeight) {
        return (outstanding + 1L) * otherWeight < (otherOutstanding + 1L) * weight;
    }

    /**
     * Two distinct indices in [0, n), uniform over ordered pairs, packed as {@code a << 32 | b}
     * (no allocation): the second is drawn from the other n - 1 and shifted past the first.
     */
    static long drawPair(int n, RandomGenerator random) {
        int a = random.nextInt(n);
        int b = random.nextInt(n - 1);
        if (b >= a) {
            b++;
        }
        return ((long) a << 32) | b;
    }

    @Override
    public List<EndpointState> endpoints() {
        return list;
    }
}
