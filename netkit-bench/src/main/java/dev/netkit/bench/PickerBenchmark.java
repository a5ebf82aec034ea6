package dev.netkit.bench;

import dev.netkit.core.balance.EndpointState;
import dev.netkit.core.balance.HashKeys;
import dev.netkit.core.balance.Picker;
import dev.netkit.core.balance.Strategy;
import dev.netkit.core.balance.WeightedEndpoint;
import dev.netkit.core.endpoint.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One pick over 100 endpoints, per strategy (issue 4's target: ≤ 50 ns for round robin and P2C,
 * no allocation; run with {@code -prof gc} to see the allocation). Weights 1..10, so the
 * weighted cycle is 550 long. Outstanding counts and latencies are set unevenly so the P2C
 * strategies compare real values. The hashing strategies pick by key ({@code pick(long)}) from a
 * precomputed array of 1024 keys, taken in turn, so the benchmark allocates nothing itself.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class PickerBenchmark {
    @Param({"ROUND_ROBIN", "WEIGHTED_ROUND_ROBIN", "LEAST_OUTSTANDING", "LEAST_LATENCY", "WEIGHTED_RANDOM",
            "RING_HASH", "MAGLEV"})
    public String strategy;

    private static final int KEYS = 1024; // a power of two: the next key is keys[next & (KEYS - 1)]

    private Picker picker;
    private boolean hashed;
    private final long[] keys = new long[KEYS];
    private int next;

    @Setup
    public void setUp() {
        List<EndpointState> endpoints = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            EndpointState state = new EndpointState(WeightedEndpoint.of(new Endpoint("10.0." + (i / 250) + "." + (i % 250 + 1), 7000), i % 10 + 1));
            state.started();
            state.finished((1 + i % 13) * 100_000L, true); // 0.1..1.3 ms
            for (int k = 0; k < i % 7; k++) {
                state.started();
            }
            endpoints.add(state);
        }
        Strategy s = Strategy.valueOf(strategy);
        picker = s.picker(endpoints);
        hashed = s == Strategy.RING_HASH || s == Strategy.MAGLEV;
        for (int i = 0; i < KEYS; i++) {
            keys[i] = HashKeys.of("session-" + i);
        }
    }

    /** One pick (by the next key, for the hashing strategies); the endpoint is consumed by JMH. */
    @Benchmark
    public EndpointState pick() {
        return hashed ? picker.pick(keys[next++ & (KEYS - 1)]) : picker.pick();
    }
}
