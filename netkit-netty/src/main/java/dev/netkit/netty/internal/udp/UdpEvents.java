package dev.netkit.netty.internal.udp;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.event.LimitReached;
import dev.netkit.netty.internal.event.Emitter;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The UDP server's events: limits reached (to JFR and the bus), each once per episode, never
 * once per datagram. Thread-safe.
 */
public final class UdpEvents {
    private final Emitter emitter;
    private volatile Endpoint local; // known once bound

    public UdpEvents(Emitter emitter) {
        this.emitter = emitter;
    }

    public void bound(SocketAddress address) {
        local = endpointOf(address);
    }

    /** A source started being limited (its first drop after an admitted datagram). */
    public void rateLimited(InetSocketAddress source, double rate, int burst) {
        Endpoint e = endpointOf(source);
        if (e != null) {
            emitter.rare(new LimitReached(System.nanoTime(), e, LimitReached.Limit.UDP_RATE_PER_SOURCE,
                    Math.round(rate), burst));
        }
    }

    /** The blocking queue became full. */
    public void blockingQueueFull(int capacity) {
        Endpoint e = local;
        if (e != null) {
            emitter.rare(new LimitReached(System.nanoTime(), e, LimitReached.Limit.UDP_BLOCKING_QUEUE, capacity, capacity));
        }
    }

    private static Endpoint endpointOf(SocketAddress address) {
        return address instanceof InetSocketAddress a && a.getPort() > 0 ? new Endpoint(a.getHostString(), a.getPort()) : null;
    }
}
