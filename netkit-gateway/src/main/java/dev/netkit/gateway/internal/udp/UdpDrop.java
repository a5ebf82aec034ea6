package dev.netkit.gateway.internal.udp;

/** Why a udp listener dropped a datagram: the label in {@code /stats} and {@code /metrics}. */
enum UdpDrop {
    MAX_SESSIONS("max_sessions"),
    NO_UPSTREAM("no_upstream"),
    OVERSIZE("oversize"),
    QUEUE_FULL("queue_full"),
    UPSTREAM_UNREACHABLE("upstream_unreachable"),
    UPSTREAM_ERROR("upstream_error"),
    SOCKET_ERROR("socket_error");

    final String label;

    UdpDrop(String label) {
        this.label = label;
    }
}
