package dev.netkit.gateway.config;

import dev.netkit.netty.client.BrokerConfig;

/** Maps a {@link ClusterConfig} to the {@link BrokerConfig} of the broker serving it. */
final class ClusterBrokerConfig {
    private ClusterBrokerConfig() {}

    /** The broker configuration: endpoints, balancer, retry, health checks, pool, timeouts, validation. */
    static BrokerConfig of(ClusterConfig c) {
        BrokerConfig.Builder b = BrokerConfig.builder()
                .weightedEndpoints(c.endpoints())
                .balancer(c.balancer())
                .retry(c.retry())
                .pool(c.pool())
                .requestTimeout(c.requestTimeout())
                .closeTimeout(c.closeTimeout())
                .tcpNoDelay(c.tcpNoDelay())
                .tls(c.tls())
                .qos(c.qos().orElse(null));
        HealthConfig health = c.health();
        if (health.enabled()) {
            if (health.probe().isEmpty()) {
                b.healthCheck(health.check());
            } else {
                b.healthCheck(health.check(), health.probe().bytes());
            }
        }
        if (!c.validationProbe().isEmpty()) {
            b.validationPayload(c.validationProbe().bytes());
        }
        return b.build();
    }
}
