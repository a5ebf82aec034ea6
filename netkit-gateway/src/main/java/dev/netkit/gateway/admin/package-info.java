/**
 * The gateway's admin HTTP endpoint: {@link dev.netkit.gateway.admin.AdminServer}.
 *
 * <p><b>Design note.</b>
 * <ul>
 * <li><b>Threads.</b> The JDK's {@code com.sun.net.httpserver} accepts on its own dispatcher
 *     thread and runs every handler on a fixed pool of two daemon threads of the admin server,
 *     never on the gateway's event loops: a reload (which binds and waits for listeners to stop)
 *     or a slow scrape blocks only the admin. {@code POST /drain} runs the caller's action on a
 *     fresh thread after the 202 is written, since the action may close the admin server itself.
 * <li><b>What is read when.</b> Every {@code GET} reads the gateway at the moment of the request:
 *     {@code /stats} and {@code /clusters} take each listener's, broker's and balancer's stats
 *     snapshot (each a set of counters read without stopping anything, so two numbers may be a
 *     moment apart); {@code /config} the configuration in force (one volatile read).
 * <li><b>Metrics.</b> One Prometheus registry per admin server. Brokers and listeners come and go
 *     with reloads, so each scrape first synchronizes the meters with the running gateway (under
 *     one lock, so two scrapes never bind twice): meters of retired brokers and listeners are
 *     removed before new ones are bound, new ones are bound (the library's {@code BrokerMetrics}
 *     and {@code ServerMetrics}, tagged {@code cluster} and {@code listener}), and each listener's
 *     stats are snapshotted once, which the gateway's own meters of that scrape then read. Nothing
 *     is added to the request path. Between scrapes no meter changes, so a registry is only as
 *     fresh as its last scrape; the brokers' own per-endpoint meters refresh each second as well.
 * </ul>
 */
package dev.netkit.gateway.admin;
