package dev.netkit.core.balance;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/*
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016, pseudocode listing 1; weighted as in
 * Envoy). Each endpoint's name "host:port" gives offset = XXH64(name, seed 0) mod M and
 * skip = XXH64(name, seed 1) mod (M - 1) + 1; its preference list is offset, offset + skip, ...
 * (mod M), a permutation of the table because M is prime. Endpoints take turns claiming their
 * next unclaimed preferred slot until the table is full; a pick is one array read.
 *
 * Weights (Envoy's variant): in turn t (from 1) an endpoint claims a slot only if
 * t × weight >= claimed × maxWeight, so one of top weight claims every turn and one of a third of
 * it every third turn. Integer arithmetic keeps the build exact. With equal weights this is the
 * paper's unweighted fill, whose per-endpoint counts differ by at most one.
 *
 * Endpoints are filled in the order of their names (as Envoy does), not the order given: the fill
 * order decides who wins contested slots, so the table must not depend on list order.
 */
/** Maglev consistent hashing: a prime-sized lookup table filled by per-endpoint permutations. */
final class MaglevPicker implements Picker {
    private final List<EndpointState> list;
    private final EndpointState[] table;

    MaglevPicker(List<EndpointState> endpoints, PickerOptions options) {
        this.list = endpoints;
        int m = options.maglevTableSize();
        int n = endpoints.size();
        if (n > m) {
            throw new IllegalArgumentException("maglevTableSize: " + m + " (expected: >= the number of endpoints, " + n
                    + "; ideally 100 times it)");
        }
        EndpointState[] byName = endpoints.toArray(EndpointState[]::new);
        Arrays.sort(byName, Comparator.comparing(e -> e.endpoint().address().toString()));
        List<EndpointState> sorted = Arrays.asList(byName);
        int[] weights = Weights.of(sorted);
        long maxWeight = Weights.max(weights);
        int[] position = new int[n];
        int[] skip = new int[n];
        long[] claimed = new long[n];
        for (int i = 0; i < n; i++) {
            byte[] name = byName[i].endpoint().address().toString().getBytes(StandardCharsets.UTF_8);
            position[i] = (int) Long.remainderUnsigned(XxHash64.hash(name, 0, name.length, 0), m);
            skip[i] = (int) Long.remainderUnsigned(XxHash64.hash(name, 0, name.length, 1), m - 1) + 1;
        }
        this.table = new EndpointState[m];
        int filled = 0;
        for (long turn = 1; filled < m; turn++) {
            for (int i = 0; i < n && filled < m; i++) {
                if (turn * weights[i] < claimed[i] * maxWeight) {
                    continue;
                }
                int c = position[i];
                while (table[c] != null) {
                    c = next(c, skip[i], m);
                }
                table[c] = byName[i];
                position[i] = next(c, skip[i], m);
                claimed[i]++;
                filled++;
            }
        }
    }

    private static int next(int c, int skip, int m) {
        int n = c + skip; // both < m <= 5,000,011: no overflow
        return n >= m ? n - m : n;
    }

    @Override
    public EndpointState pick() {
        return pick(ThreadLocalRandom.current().nextLong());
    }

    @Override
    public EndpointState pick(long key) {
        return table[(int) Long.remainderUnsigned(key, table.length)];
    }

    @Override
    public List<EndpointState> endpoints() {
        return list;
    }

    /** The table's size. */
    int size() {
        return table.length;
    }
}
