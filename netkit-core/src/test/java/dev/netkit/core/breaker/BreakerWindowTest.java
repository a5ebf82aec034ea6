package dev.netkit.core.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BreakerWindowTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long START = Long.MAX_VALUE - 3_600 * SECOND; // differences must survive the wrap

    private record Outcome(long at, boolean failed, boolean slow) {}

    @Test
    void countWindowEvictsExactlyTheOldestOutcome() {
        CountWindow w = new CountWindow(3);
        w.record(0, true, true);
        w.record(0, false, false);
        w.record(0, false, true);
        assertCounts(w, 3, 1, 2);
        w.record(0, false, false); // evicts failed+slow
        assertCounts(w, 3, 0, 1);
        w.record(0, true, false); // evicts the plain success
        assertCounts(w, 3, 1, 1);
        w.record(0, true, false); // evicts the slow success
        assertCounts(w, 3, 2, 0);
    }

    @Test
    void countWindowMatchesAReferenceModel() {
        long seed = Long.getLong("netkit.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int size : new int[] {1, 2, 7, 100}) {
            CountWindow w = new CountWindow(size);
            ArrayDeque<Outcome> model = new ArrayDeque<>();
            for (int i = 0; i < 2_000; i++) {
                Outcome o = new Outcome(0, random.nextInt(3) == 0, random.nextInt(4) == 0);
                w.record(0, o.failed, o.slow);
                model.addLast(o);
                if (model.size() > size) {
                    model.removeFirst();
                }
                assertThat(new long[] {w.calls(), w.failures(), w.slowCalls()})
                        .as("seed %d, size %d, step %d", seed, size, i)
                        .containsExactly(model.size(), count(model, true), count(model, false));
            }
        }
    }

    @Test
    void timeWindowKeepsAnOutcomeForItsBucketsAndNotOneNanosecondMore() {
        TimeWindow w = new TimeWindow(3, START);
        w.record(START + SECOND / 2, true, false); // bucket 0
        w.advance(START + 3 * SECOND - 1); // buckets 0..2 still in the window
        assertCounts(w, 1, 1, 0);
        w.advance(START + 3 * SECOND); // bucket 3 starts, bucket 0 leaves
        assertCounts(w, 0, 0, 0);
        w.record(START + 3 * SECOND, false, true);
        w.advance(START + 3_600 * SECOND); // a jump far longer than the window
        assertCounts(w, 0, 0, 0);
        w.record(START + 3_600 * SECOND, true, true);
        w.record(START + 3_601 * SECOND, false, false);
        assertCounts(w, 2, 1, 1);
    }

    @Test
    void timeWindowMatchesAReferenceModel() {
        long seed = Long.getLong("netkit.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int size : new int[] {1, 2, 10, 60}) {
            TimeWindow w = new TimeWindow(size, START);
            List<Outcome> model = new ArrayList<>();
            long now = START;
            for (int i = 0; i < 3_000; i++) {
                int step = random.nextInt(100);
                now += step < 60 ? random.nextLong(SECOND / 10) // bursts within a second
                        : step < 97 ? random.nextLong(3 * SECOND) // a few seconds
                        : random.nextLong(200 * SECOND); // sometimes longer than any window here
                Outcome o = new Outcome(now, random.nextBoolean(), random.nextInt(5) == 0);
                w.record(now, o.failed, o.slow);
                model.add(o);
                long current = (now - START) / SECOND;
                model.removeIf(m -> (m.at - START) / SECOND <= current - size);
                assertThat(new long[] {w.calls(), w.failures(), w.slowCalls()})
                        .as("seed %d, size %d, step %d", seed, size, i)
                        .containsExactly(model.size(), count(model, true), count(model, false));
            }
        }
    }

    private static long count(Iterable<Outcome> outcomes, boolean failures) {
        long n = 0;
        for (Outcome o : outcomes) {
            if (failures ? o.failed : o.slow) {
                n++;
            }
        }
        return n;
    }

    private static void assertCounts(OutcomeWindow w, long calls, long failures, long slow) {
        assertThat(new long[] {w.calls(), w.failures(), w.slowCalls()}).containsExactly(calls, failures, slow);
    }
}
