package dev.netkit.bench;

import dev.netkit.core.balance.EndpointState;
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
 * weighted cycle is 550 long. Outstanding counts are set unevenly so P2C compares real values.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class PickerBenchmark {
    @Param({"ROUND_ROBIN", "WEIGHTED_ROUND_ROBIN", "LEAST_OUTSTANDING"})
    public String strategy;

    private Picker picker;

    @Setup
    public void setUp() {
        List<EndpointState> endpoints = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            EndpointState state = new EndpointState(WeightedEndpoint.of(new Endpoint("10.0." + (i / 250) + "." + (i % 250 + 1), 7000), i % 10 + 1));
            for (int k = 0; k < i % 7; k++) {
                state.started();
            }
            endpoints.add(state);
        }
        picker = Strategy.valueOf(strategy).picker(endpoints);
    }

    /** One pick; the returned endpoint is consumed by JMH. */
    @Benchmark
    public EndpointState pick() {
        return picker.pick();
    }
}
