package dev.netkit.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** JFR twin of {@link dev.netkit.core.event.PoolExhausted}. */
@Name("dev.netkit.PoolExhausted")
@Label("Pool Exhausted")
@Category("netkit")
@Description("A connection pool refused an acquire (maxPending waiters) or an acquire timed out")
public final class PoolExhaustedEvent extends Event {
    @Label("Endpoint")
    String endpoint;

    @Label("Cause")
    @Description("max_pending or acquire_timeout")
    String cause;

    @Label("Pool State")
    String state;
}
