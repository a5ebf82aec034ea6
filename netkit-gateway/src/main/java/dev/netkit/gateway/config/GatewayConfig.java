package dev.netkit.gateway.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole configuration of {@code netkit gateway}: listeners, the clusters they send to, and the
 * admin server. Immutable; read one with {@link GatewayConfigParser}, print it with
 * {@link #toYaml()}. The parser guarantees what the constructor cannot check alone: names are
 * unique, ports distinct, and every route and tcp listener names a cluster of {@link #clusters()}.
 *
 * @param listeners at least one
 * @param clusters  at least one
 * @param admin     the admin server
 * @param io        the event loops (fixed for the life of the process)
 */
public record GatewayConfig(List<ListenerConfig> listeners, List<ClusterConfig> clusters, AdminConfig admin, IoConfig io) {
    /** Copies the lists. */
    public GatewayConfig {
        listeners = List.copyOf(listeners);
        clusters = List.copyOf(clusters);
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(io, "io");
    }

    /** A configuration with the default {@link IoConfig}. */
    public GatewayConfig(List<ListenerConfig> listeners, List<ClusterConfig> clusters, AdminConfig admin) {
        this(listeners, clusters, admin, IoConfig.defaults());
    }

    /**
     * Reads and validates a file.
     *
     * @throws ConfigException for the first problem found, or when the file cannot be read
     */
    public static GatewayConfig load(Path file) {
        return new GatewayConfigParser().parse(file);
    }

    /** The cluster named {@code name}, if any. */
    public Optional<ClusterConfig> cluster(String name) {
        return clusters.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** The listener named {@code name}, if any. */
    public Optional<ListenerConfig> listener(String name) {
        return listeners.stream().filter(l -> l.name().equals(name)).findFirst();
    }

    /** The effective configuration, every default filled in, as YAML that parses back to an equal config. */
    public String toYaml() {
        return EffectiveConfig.toYaml(this);
    }
}
