package dev.netkit.gateway.config;

import dev.netkit.core.balance.Strategy;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A balancing policy by its name in the file ({@code lb:}). A cluster takes any of the seven
 * balancer strategies; a tcp listener also takes the two per-connection policies
 * {@code source-ip-hash} and {@code sticky}, which choose by the client's address.
 */
public enum LbPolicy implements Named {
    /** {@link Strategy#ROUND_ROBIN}: each endpoint in turn, ignoring weights (the default). */
    ROUND_ROBIN("round-robin", Strategy.ROUND_ROBIN),
    /** {@link Strategy#WEIGHTED_ROUND_ROBIN}: smooth weighted round robin. */
    WEIGHTED("weighted", Strategy.WEIGHTED_ROUND_ROBIN),
    /** {@link Strategy#LEAST_OUTSTANDING}: power of two choices on requests outstanding per weight. */
    LEAST_OUTSTANDING("least-outstanding", Strategy.LEAST_OUTSTANDING),
    /** {@link Strategy#LEAST_LATENCY}: power of two choices on peak-EWMA latency × outstanding. */
    LEAST_LATENCY("least-latency", Strategy.LEAST_LATENCY),
    /** {@link Strategy#WEIGHTED_RANDOM}: random, in proportion to the weights. */
    RANDOM("random", Strategy.WEIGHTED_RANDOM),
    /** {@link Strategy#RING_HASH}: consistent hashing of a key (an anet listener's {@code hash_key}). */
    RING_HASH("ring-hash", Strategy.RING_HASH),
    /** {@link Strategy#MAGLEV}: Maglev consistent hashing of a key. */
    MAGLEV("maglev", Strategy.MAGLEV),
    /** tcp and udp listeners only: Maglev hashing of the client's IP address, so a client keeps its endpoint. */
    SOURCE_IP_HASH("source-ip-hash", null),
    /**
     * tcp listeners only: the cluster's policy picks a client's first endpoint, and the client's IP
     * address keeps it for {@code sticky_ttl} after its last connection (an affinity table).
     */
    STICKY("sticky", null);

    private final String configName;
    private final Strategy strategy;

    LbPolicy(String configName, Strategy strategy) {
        this.configName = configName;
        this.strategy = strategy;
    }

    @Override
    public String configName() {
        return configName;
    }

    /** The balancer strategy, or empty for the per-connection policies. */
    public Optional<Strategy> strategy() {
        return Optional.ofNullable(strategy);
    }

    /** The policy of a balancer strategy. */
    public static LbPolicy of(Strategy strategy) {
        return Arrays.stream(values()).filter(p -> p.strategy == strategy).findFirst().orElseThrow();
    }

    /** The policies a cluster accepts: the balancer strategies. */
    public static List<LbPolicy> clusterPolicies() {
        return Arrays.stream(values()).filter(p -> p.strategy != null).toList();
    }

    /** The policies a tcp listener accepts: all of them. */
    public static List<LbPolicy> listenerPolicies() {
        return List.of(values());
    }

    /**
     * The policies a udp listener accepts: the balancer strategies and {@code source-ip-hash}
     * ({@code sticky} adds nothing: a session already keeps its endpoint).
     */
    public static List<LbPolicy> udpListenerPolicies() {
        return Arrays.stream(values()).filter(p -> p != STICKY).toList();
    }
}
