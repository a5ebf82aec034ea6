package dev.netkit.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/** JFR twin of {@link dev.netkit.core.event.SlowRequest}. */
@Name("dev.netkit.SlowRequest")
@Label("Slow Request")
@Category("netkit")
@Description("An attempt of a request took at least the slow-request threshold")
public final class SlowRequestEvent extends Event {
    @Label("Endpoint")
    String endpoint;

    @Label("Latency")
    @Timespan(Timespan.NANOSECONDS)
    long latency;

    @Label("Threshold")
    @Timespan(Timespan.NANOSECONDS)
    long threshold;

    @Label("Failure")
    @Description("Empty when answered, else the error kind, e.g. timeout")
    String failure;
}
