package dev.netkit.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/** JFR twin of {@link dev.netkit.core.event.EndpointEjected}. */
@Name("dev.netkit.EndpointEjected")
@Label("Endpoint Ejected")
@Category("netkit")
@Description("Outlier detection took an endpoint out of service")
public final class EndpointEjectedEvent extends Event {
    @Label("Endpoint")
    String endpoint;

    @Label("Reason")
    String reason;

    @Label("Ejection Duration")
    @Timespan(Timespan.NANOSECONDS)
    long ejectionDuration;
}
