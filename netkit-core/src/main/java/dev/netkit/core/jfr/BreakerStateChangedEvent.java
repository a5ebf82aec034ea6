package dev.netkit.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** JFR twin of {@link dev.netkit.core.event.BreakerStateChanged}. */
@Name("dev.netkit.BreakerStateChanged")
@Label("Circuit Breaker State Changed")
@Category("netkit")
@Description("The circuit breaker of an endpoint changed state (e.g. CLOSED to OPEN)")
public final class BreakerStateChangedEvent extends Event {
    @Label("Endpoint")
    String endpoint;

    @Label("From")
    String from;

    @Label("To")
    String to;

    @Label("Reason")
    String reason;
}
