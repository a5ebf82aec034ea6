package dev.netkit.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** JFR twin of {@link dev.netkit.core.event.LimitReached}. */
@Name("dev.netkit.LimitReached")
@Label("Limit Reached")
@Category("netkit")
@Description("A server reached maxConnections, maxConcurrentRequests, a UDP source's rate or its blocking queue")
public final class LimitReachedEvent extends Event {
    @Label("Endpoint")
    String endpoint;

    @Label("Limit")
    String limit;

    @Label("Limit Value")
    long value;

    @Label("Current")
    long current;
}
