/**
 * The gateway's UDP listeners ({@code protocol: udp}): {@link dev.netkit.gateway.internal.udp.UdpProxyListener}
 * binds one socket per event loop (SO_REUSEPORT on epoll), each with its own
 * {@code UdpSessions} table confined to that loop: client address → one connected upstream socket
 * on the same loop. Internal: may change at any time.
 */
package dev.netkit.gateway.internal.udp;
