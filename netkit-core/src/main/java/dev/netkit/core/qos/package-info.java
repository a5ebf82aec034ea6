/**
 * Classes of service for waiting lines: {@link dev.netkit.core.qos.QosPolicy} (the classes, their
 * integer weights and capacities, a strict class and its starvation bound) and
 * {@link dev.netkit.core.qos.FairQueue} (strict priority, then deficit round robin by weight; a
 * bounded FIFO per class). The connection pool's waiting line uses it when built with a policy
 * ({@code ConnectionPool.Builder.qos}); the broker exposes it as {@code BrokerConfig.qos} and
 * {@code RequestOptions.withQosClass}.
 */
package dev.netkit.core.qos;
