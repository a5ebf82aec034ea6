package dev.netkit.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** JFR twin of {@link dev.netkit.core.event.TlsHandshakeFailed}. */
@Name("dev.netkit.TlsHandshakeFailed")
@Label("TLS Handshake Failed")
@Category("netkit")
@Description("A TLS handshake failed, or a connection spoke the wrong protocol for its port")
public final class TlsHandshakeFailedEvent extends Event {
    @Label("Endpoint")
    String endpoint;

    @Label("Side")
    String side;

    @Label("Reason")
    String reason;

    @Label("Detail")
    String detail;
}
