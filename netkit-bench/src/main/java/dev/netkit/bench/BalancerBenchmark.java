package dev.netkit.bench;

import dev.netkit.core.balance.BalancerConfig;
import dev.netkit.core.balance.EndpointState;
import dev.netkit.core.balance.LoadBalancer;
import dev.netkit.core.balance.OutlierConfig;
import dev.netkit.core.balance.Outcome;
import dev.netkit.core.balance.Strategy;
import dev.netkit.core.balance.WeightedEndpoint;
import dev.netkit.core.breaker.BreakerConfig;
import dev.netkit.core.endpoint.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the whole balancer costs a request: {@code pick()} then {@code finished(SUCCESS)} with the
 * time the caller already has (as the broker does), over 10 endpoints, single thread. The
 * {@code features} parameter turns the breaker and outlier detection on and off, to show what each
 * adds to the bare pick; run with {@code -prof gc} for the allocation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class BalancerBenchmark {
    @Param({"defaults", "no-breaker", "bare"})
    public String features;

    @Param({"ROUND_ROBIN", "LEAST_OUTSTANDING"})
    public String strategy;

    private LoadBalancer balancer;
    private long now;

    @Setup(Level.Trial)
    public void setUp() {
        BalancerConfig config = BalancerConfig.defaults().withStrategy(Strategy.valueOf(strategy));
        if (!features.equals("defaults")) {
            config = config.withBreaker(BreakerConfig.disabled());
        }
        if (features.equals("bare")) {
            config = config.withOutlier(OutlierConfig.disabled());
        }
        List<WeightedEndpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            endpoints.add(WeightedEndpoint.of(new Endpoint("10.0.0." + (i + 1), 7000)));
        }
        balancer = LoadBalancer.builder(config).endpoints(endpoints).build();
        now = System.nanoTime();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        balancer.close();
    }

    @Benchmark
    public EndpointState pickAndFinish() {
        EndpointState picked = balancer.pick();
        now += 1_000; // a fresh time per request without reading the clock (the broker reads it once per socket read)
        balancer.finished(picked, 250_000, Outcome.SUCCESS, now);
        return picked;
    }
}
