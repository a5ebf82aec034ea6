package dev.netkit.core.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.netkit.core.time.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The load-aware power-of-two pickers: peak EWMA semantics, least latency (slow endpoints shunned,
 * forgiven as their latency decays, new ones probed), and least outstanding by weight. The
 * scenarios use two endpoints where a comparison is decisive, so both are compared on every pick
 * and the outcome does not depend on the (unseedable) ThreadLocalRandom.
 */
class LatencyPickerTest {
    private static final long MS = 1_000_000L;
    private static final long DECAY = Duration.ofSeconds(1).toNanos();

    private final ManualTicker ticker = new ManualTicker();

    private List<EndpointState> endpoints(int n) {
        List<EndpointState> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new EndpointState(WeightedEndpoint.of(TestEndpoints.address(i)), ticker, DECAY));
        }
        return list;
    }

    private static void sample(EndpointState e, long latencyNanos) {
        e.started();
        e.finished(latencyNanos, true);
    }

    private static int count(Picker picker, EndpointState target, int picks) {
        int hits = 0;
        for (int i = 0; i < picks; i++) {
            if (picker.pick() == target) {
                hits++;
            }
        }
        return hits;
    }

    @Test
    void peakEwmaTakesAPeakAtOnceAndBlendsALowerSampleByElapsedTime() {
        PeakEwma ewma = new PeakEwma(ticker, DECAY);
        assertThat(ewma.value()).isZero();
        ewma.observe(100 * MS);
        assertThat(ewma.value()).isEqualTo(100.0 * MS);
        ewma.observe(300 * MS);
        assertThat(ewma.value()).as("a peak replaces the average").isEqualTo(300.0 * MS);
        ticker.advance(Duration.ofNanos(DECAY));
        assertThat(ewma.value()).as("reading decays by exp(-elapsed/decay)").isCloseTo(300.0 * MS / Math.E, offset(1.0));
        assertThat(ewma.value()).as("and reading does not change it").isCloseTo(300.0 * MS / Math.E, offset(1.0));
        ewma.observe(50 * MS); // below the stored 300 ms: blended with w = exp(-1)
        double w = Math.exp(-1);
        assertThat(ewma.value()).isCloseTo(300.0 * MS * w + 50.0 * MS * (1 - w), offset(1.0));
        ewma.observe(10 * MS); // no time passed: w = 1, the sample has no weight
        assertThat(ewma.value()).isCloseTo(300.0 * MS * w + 50.0 * MS * (1 - w), offset(1.0));
    }

    @Test
    void peakEwmaCostPenalisesOutstandingWithoutData() {
        PeakEwma ewma = new PeakEwma(ticker, DECAY);
        assertThat(ewma.cost(0)).as("no data, idle: free, so it gets probed").isZero();
        assertThat(ewma.cost(2)).isEqualTo(PeakEwma.PENALTY + 2);
        ewma.observe(4 * MS);
        assertThat(ewma.cost(2)).isEqualTo(12.0 * MS);
    }

    @Test
    void aSlowEndpointIsShunnedAndNeverComparedWithItself() {
        List<EndpointState> two = endpoints(2);
        sample(two.get(0), 1000 * MS);
        sample(two.get(1), MS);
        // If a pick could draw the slow endpoint twice it would win that "comparison".
        assertThat(count(Strategy.LEAST_LATENCY.picker(two), two.get(0), 10_000)).isZero();

        List<EndpointState> ten = endpoints(10);
        sample(ten.get(3), 1000 * MS);
        for (EndpointState e : ten) {
            if (e != ten.get(3)) {
                sample(e, MS);
            }
        }
        Picker picker = Strategy.LEAST_LATENCY.picker(ten);
        assertThat(count(picker, ten.get(3), 20_000)).as("it loses every comparison it is drawn into").isZero();
        assertThat(count(picker, ten.get(5), 20_000)).as("the fast ones share the traffic").isPositive();
    }

    @Test
    void aSlowEndpointIsPickedAgainOnceItsLatencyHasDecayed() {
        List<EndpointState> two = endpoints(2);
        EndpointState slow = two.get(0);
        EndpointState fast = two.get(1);
        sample(slow, 1000 * MS);
        sample(fast, MS);
        Picker picker = Strategy.LEAST_LATENCY.picker(two);
        assertThat(count(picker, slow, 1000)).isZero();
        // The fast endpoint keeps reporting 1 ms; the slow one gets nothing and decays:
        // 1000 ms × exp(-t / 1 s) is below 1 ms after 6.9 s.
        for (int s = 0; s < 6; s++) {
            ticker.advance(Duration.ofSeconds(1));
            sample(fast, MS);
        }
        assertThat(count(picker, slow, 1000)).as("after 6 s: %.2f ms", slow.latencyNanos() / MS).isZero();
        ticker.advance(Duration.ofSeconds(1));
        sample(fast, MS);
        assertThat(slow.latencyNanos()).isLessThan(MS);
        assertThat(count(picker, slow, 1000)).as("after 7 s it is the cheaper one").isEqualTo(1000);
    }

    @Test
    void anEndpointWithRequestsOutstandingAndNoLatencyYetIsPenalised() {
        List<EndpointState> two = endpoints(2);
        EndpointState fresh = two.get(0);
        EndpointState known = two.get(1);
        sample(known, 500 * MS);
        Picker picker = Strategy.LEAST_LATENCY.picker(two);
        assertThat(count(picker, fresh, 1000)).as("idle and unknown: probed").isEqualTo(1000);
        fresh.started();
        assertThat(count(picker, fresh, 1000)).as("one request out, no answer yet: not flooded").isZero();
        fresh.finished(2 * MS, true);
        assertThat(count(picker, fresh, 1000)).as("once measured, compared by latency").isEqualTo(1000);
    }

    @Test
    void leastOutstandingComparesOutstandingPerUnitOfWeight() {
        List<EndpointState> two = TestEndpoints.weighted(1, 3);
        EndpointState light = two.get(0);
        EndpointState heavy = two.get(1);
        Picker picker = Strategy.LEAST_OUTSTANDING.picker(two);
        load(light, 2);
        load(heavy, 6); // (2+1)/1 = 3 > (6+1)/3 = 2.33: the heavy one is less loaded for its weight
        assertThat(count(picker, heavy, 1000)).isEqualTo(1000);
        load(heavy, 3); // 3 < (9+1)/3 = 3.33
        assertThat(count(picker, light, 1000)).isEqualTo(1000);
    }

    @Test
    void leastOutstandingReadsEffectiveWeightsAndWithEqualWeightsComparesCounts() {
        List<EndpointState> two = TestEndpoints.equal(2);
        load(two.get(0), 2);
        load(two.get(1), 3);
        assertThat(count(Strategy.LEAST_OUTSTANDING.picker(two), two.get(0), 1000)).isEqualTo(1000);
        two.get(1).effectiveWeight(4); // a snapshot built now sees 3 / 1 vs 4 / 4
        assertThat(count(Strategy.LEAST_OUTSTANDING.picker(two), two.get(1), 1000)).isEqualTo(1000);

        assertThat(PowerOfTwoPicker.lighter(2, 7, 3, 7)).isTrue();
        assertThat(PowerOfTwoPicker.lighter(3, 7, 3, 7)).as("a tie is not lighter: the first drawn wins").isFalse();
        assertThat(PowerOfTwoPicker.lighter(Integer.MAX_VALUE, WeightedEndpoint.MAX_WEIGHT, Integer.MAX_VALUE - 1, 1))
                .as("no overflow at the extremes").isTrue();
    }

    private static void load(EndpointState e, int requests) {
        for (int i = 0; i < requests; i++) {
            e.started();
        }
    }

    @Test
    void theOneExpComparisonAgreesWithComparingBothCosts() {
        long seed = Long.getLong("netkit.seed", System.nanoTime());
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        for (int round = 0; round < 2_000; round++) {
            PeakEwma a = new PeakEwma(ticker, DECAY);
            PeakEwma b = new PeakEwma(ticker, DECAY);
            if (random.nextInt(4) != 0) {
                a.observe(random.nextLong(1, 50_000_000));
            }
            ticker.advance(Duration.ofMillis(random.nextInt(0, 30_000)));
            if (random.nextInt(4) != 0) {
                b.observe(random.nextLong(1, 50_000_000));
            }
            ticker.advance(Duration.ofMillis(random.nextInt(0, 30_000)));
            int oa = random.nextInt(0, 20);
            int ob = random.nextInt(0, 20);
            double costA = a.cost(oa);
            double costB = b.cost(ob);
            if (Math.abs(costA - costB) <= 1e-9 * Math.max(costA, costB)) {
                continue; // a tie within rounding may go either way
            }
            assertThat(PeakEwma.cheaper(b, ob, a, oa)).as("seed %d round %d: costs a=%s b=%s", seed, round, costA, costB)
                    .isEqualTo(costB < costA);
        }
    }
}
