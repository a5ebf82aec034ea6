package dev.netkit.netty.udp;

/** Why a {@link UdpServer} dropped a datagram (the keys of {@link UdpStats#drops()}). */
public enum UdpDropReason {
    /** Its source exceeded {@link UdpServerConfig#ratePerSource()}. */
    RATE("rate"),
    /** The handler threw (or, for an answer, the answer could not be built). */
    HANDLER_ERROR("handler_error"),
    /** The blocking handlers' queue ({@link UdpServerConfig#blockingQueueCapacity()}) was full. */
    QUEUE_FULL("queue_full"),
    /**
     * Larger than {@link UdpServerConfig#maxDatagramSize()}: received truncated by the kernel (the
     * receive slot is one byte larger than the limit, so a filled slot means truncation), or an
     * answer too large to send.
     */
    OVERSIZE("oversize");

    private final String label;

    UdpDropReason(String label) {
        this.label = label;
    }

    /** The snake_case name used in stats, metrics and the CLI. */
    public String label() {
        return label;
    }
}
