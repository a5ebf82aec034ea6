package dev.netkit.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** JFR twin of {@link dev.netkit.core.event.ConnectionRefused}. */
@Name("dev.netkit.ConnectionRefused")
@Label("Connection Refused")
@Category("netkit")
@Description("A server refused a connection by its client IP policy")
public final class ConnectionRefusedEvent extends Event {
    @Label("Endpoint")
    String endpoint;

    @Label("Reason")
    String reason;
}
