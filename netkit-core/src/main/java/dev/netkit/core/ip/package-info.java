/**
 * Client IP policies, without Netty: which addresses a server accepts and how much each may use.
 *
 * <ul>
 * <li>{@link dev.netkit.core.ip.Cidr} and {@link dev.netkit.core.ip.CidrSet}: IPv4 and IPv6
 *     networks parsed from text (strictly, never with a name lookup) and an immutable set of them
 *     whose lookup is a binary search over merged ranges, allocation-free: cheap enough for lists of
 *     tens of thousands of networks checked on every accepted connection.</li>
 * <li>{@link dev.netkit.core.ip.IpPolicy}: the configuration (allow and deny lists, per-IP
 *     connection limit, per-IP new-connection rate, the bound on tracked addresses).</li>
 * <li>{@link dev.netkit.core.ip.IpAdmission}: its runtime, one per listening socket, thread-safe:
 *     {@code admit} returns an {@link dev.netkit.core.ip.IpPermit} to release when the connection
 *     closes, or an {@link dev.netkit.core.ip.IpRefusal} whose label ({@code denied},
 *     {@code not_allowed}, {@code max_connections_per_ip}, {@code rate_per_ip},
 *     {@code too_many_ips}) is what stats, metrics and events report. Its per-address state is
 *     bounded (see its design note).</li>
 * </ul>
 *
 * <p>{@code FrameServer} and the gateway's listeners use it; a transport of your own can too.
 */
package dev.netkit.core.ip;
