/**
 * Typed events for operators and tooling: connections opened and closed, requests answered,
 * failed or slow, pools exhausted, endpoints ejected and returned, circuit breakers changing
 * state, server limits reached, and connections refused by a client IP policy.
 *
 * <p>Components publish {@link dev.netkit.core.event.NetkitEvent}s to an
 * {@link dev.netkit.core.event.EventBus}, which hands them to its
 * {@link dev.netkit.core.event.EventListener}s on its own thread: a slow or failing listener never
 * touches the I/O threads. Publishing costs one volatile read when nobody listens.
 */
package dev.netkit.core.event;
