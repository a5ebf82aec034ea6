package dev.netkit.cli.load;

import dev.netkit.core.balance.EndpointStats;
import dev.netkit.core.balance.EndpointStatus;

/**
 * One target's share of a load run's measured window, as its balancer counted it.
 *
 * @param address   {@code host:port}
 * @param weight    its configured weight
 * @param zone      its zone, or {@code ""}
 * @param answered  requests it answered (responses, before payload verification)
 * @param errors    requests that failed on it and counted against it (connection lost or refused,
 *                  timeout, protocol violation); local refusals such as queue-full are not
 * @param picks     times the balancer picked it
 * @param status    its status at the end of the window
 * @param ejections times outlier detection ejected it during the window
 */
public record EndpointReport(
        String address,
        int weight,
        String zone,
        long answered,
        long errors,
        long picks,
        EndpointStatus status,
        long ejections) {

    /** The difference between two snapshots of the same endpoint; the status is {@code end}'s. */
    public static EndpointReport between(EndpointStats start, EndpointStats end) {
        return new EndpointReport(end.address().toString(), end.weight(), end.zone(),
                end.successes() - start.successes(), end.failures() - start.failures(), end.picks() - start.picks(),
                end.status(), end.ejections() - start.ejections());
    }
}
