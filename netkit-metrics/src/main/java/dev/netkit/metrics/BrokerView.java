package dev.netkit.metrics;

import dev.netkit.core.balance.BalancerStats;
import dev.netkit.core.balance.EndpointStats;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.pool.PoolStats;
import dev.netkit.netty.client.Broker;
import dev.netkit.netty.client.BrokerStats;
import java.util.HashMap;
import java.util.Map;

/** One reading of everything a broker reports, indexed by endpoint. */
record BrokerView(BrokerStats broker, BalancerStats balancer, Map<Endpoint, PoolStats> pools,
                  Map<Endpoint, EndpointStats> endpoints) {

    static BrokerView of(Broker broker) {
        Map<Endpoint, PoolStats> pools = new HashMap<>();
        broker.poolStats().forEach(p -> pools.put(p.endpoint(), p));
        BalancerStats balancer = broker.balancerStats();
        Map<Endpoint, EndpointStats> endpoints = new HashMap<>();
        balancer.endpoints().forEach(e -> endpoints.put(e.address(), e));
        return new BrokerView(broker.stats(), balancer, pools, endpoints);
    }
}
