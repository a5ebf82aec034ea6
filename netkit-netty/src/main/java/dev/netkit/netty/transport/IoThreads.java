package dev.netkit.netty.transport;

/** Defaults for I/O thread counts, derived from the machine. */
public final class IoThreads {
    private IoThreads() {}

    /**
     * Half the available processors, at least one. On the 2-vCPU machines netkit is calibrated on,
     * a second event loop cost 26–38 % of throughput (the peer process needs the other core), so
     * one loop per process is the default there.
     */
    public static int defaultCount() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }
}
