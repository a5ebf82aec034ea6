package dev.netkit.gateway.internal.tcp;

import dev.netkit.core.balance.EndpointState;
import dev.netkit.core.balance.HashKeys;
import dev.netkit.core.balance.LoadBalancer;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.netty.internal.tls.ClientTls;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Where an L4 listener sends new connections (a udp listener: new sessions): one cluster's endpoints in a {@link LoadBalancer}
 * of its own (its picks count open connections, so least-outstanding is least-connections), and
 * the listener's per-connection policy. Immutable apart from the balancer and the sticky table;
 * a reload swaps the whole route, and connections already open finish on the one they started on.
 */
public final class TcpRoute {
    /** How a client's endpoint is chosen. */
    public enum Policy {
        /** The balancer's strategy alone. */
        BALANCED,
        /** Consistent hashing of the client's IP address (the balancer is a hashing one). */
        SOURCE_IP_HASH,
        /** The balancer's choice, then the same endpoint for that client address until the TTL passes. */
        STICKY
    }

    private final String cluster;
    private final LoadBalancer balancer;
    private final Policy policy;
    private final StickyTable sticky; // null unless STICKY
    private final ClientTls upstreamTls; // null: plaintext to the endpoints

    /**
     * A route to plaintext endpoints.
     *
     * @param balancer its endpoints' attachments are their resolved {@link InetSocketAddress}es
     */
    public TcpRoute(String cluster, LoadBalancer balancer, Policy policy, StickyTable sticky) {
        this(cluster, balancer, policy, sticky, null);
    }

    /**
     * @param balancer    its endpoints' attachments are their resolved {@link InetSocketAddress}es
     * @param upstreamTls the cluster's TLS toward its endpoints, or null for plaintext
     */
    public TcpRoute(String cluster, LoadBalancer balancer, Policy policy, StickyTable sticky, ClientTls upstreamTls) {
        this.upstreamTls = upstreamTls;
        this.cluster = cluster;
        this.balancer = balancer;
        this.policy = policy;
        this.sticky = sticky;
        if ((policy == Policy.STICKY) != (sticky != null)) {
            throw new IllegalArgumentException("a sticky table goes with the STICKY policy, and only with it");
        }
    }

    public String cluster() {
        return cluster;
    }

    public LoadBalancer balancer() {
        return balancer;
    }

    public StickyTable sticky() {
        return sticky;
    }

    /** The cluster's TLS toward its endpoints, or null for plaintext. */
    public ClientTls upstreamTls() {
        return upstreamTls;
    }

    /**
     * The first endpoint for a connection from {@code client}, counted outstanding.
     *
     * @throws dev.netkit.core.error.NoEndpointsException when none is in service
     */
    public EndpointState pick(InetAddress client, long nowNanos) {
        return switch (policy) {
            case BALANCED -> balancer.pick();
            case SOURCE_IP_HASH -> balancer.pick(HashKeys.of(client));
            case STICKY -> {
                Endpoint remembered = sticky.get(client, nowNanos);
                EndpointState same = remembered == null ? null : balancer.pickIfInService(remembered);
                yield same != null ? same : balancer.pick();
            }
        };
    }

    /** Another endpoint after a failed connect, or null when there is none. */
    EndpointState pickOther(EndpointState failed) {
        return balancer.pickOther(failed);
    }

    /**
     * A connection from {@code client} to {@code endpoint} opened: the client sticks to it.
     *
     * @return false when the sticky table was full and the client is not remembered
     */
    boolean connectionOpened(InetAddress client, EndpointState endpoint, long nowNanos) {
        return sticky == null || sticky.opened(client, endpoint.endpoint().address(), nowNanos);
    }

    /** A connection ended: with none left, the client's stickiness runs for the TTL from now. */
    void connectionClosed(InetAddress client, EndpointState endpoint, long nowNanos) {
        if (sticky != null) {
            sticky.closed(client, endpoint.endpoint().address(), nowNanos);
        }
    }

    /** The resolved address of a picked endpoint. */
    public static InetSocketAddress address(EndpointState endpoint) {
        return (InetSocketAddress) endpoint.attachment();
    }
}
