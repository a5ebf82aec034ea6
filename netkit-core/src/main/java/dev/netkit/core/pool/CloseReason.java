package dev.netkit.core.pool;

/** Why a pooled connection was closed; counted per reason in {@link PoolStats}. */
public enum CloseReason {
    /** Unused for longer than the idle timeout while more than min-idle connections were open. */
    IDLE("idle"),
    /** Reached its (jittered) maximum lifetime. */
    LIFETIME("lifetime"),
    /** Failed or did not answer a background validation. */
    VALIDATION("validation"),
    /** Closed by the peer or found unusable by the cheap check on lease. */
    PEER_CLOSED("peer_closed"),
    /** Invalidated by its holder, usually after an I/O or protocol error. */
    ERROR("error"),
    /** Removed by {@link ConnectionPool#evictAll()}. */
    EVICTED("evicted"),
    /** The pool was closed. */
    POOL_CLOSED("pool_closed");

    private final String label;

    CloseReason(String label) {
        this.label = label;
    }

    /** A stable snake_case label for reports and metrics. */
    public String label() {
        return label;
    }
}
