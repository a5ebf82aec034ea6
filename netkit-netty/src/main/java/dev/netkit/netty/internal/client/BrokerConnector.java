package dev.netkit.netty.internal.client;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.ConnectionLostException;
import dev.netkit.core.error.NetkitException;
import dev.netkit.core.pool.Connector;
import dev.netkit.netty.internal.RateLimitedLog;
import dev.netkit.netty.internal.tls.ClientHandshake;
import dev.netkit.netty.internal.tls.ClientTls;
import dev.netkit.netty.internal.tls.TlsEvents;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * Opens broker connections for the pool: picks an event loop, resolves the host off the I/O
 * threads (a virtual thread) unless it is a literal address, and connects. Also keeps the set of
 * live connections, so a closing broker can fail what is still on them. Thread-safe.
 */
public final class BrokerConnector implements Connector<BrokerConnection> {
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final ExecutorService resolver;
    private final int maxInFlight;
    private final BrokerCounters counters;
    private final RateLimitedLog warnings;
    private final Set<BrokerConnection> live = ConcurrentHashMap.newKeySet();
    private final ClientTls tls; // null: plaintext
    private final TlsEvents tlsEvents;

    /** @param tls the TLS of every connection, or null for plaintext */
    public BrokerConnector(EventLoopGroup group, Bootstrap bootstrap, ExecutorService resolver, int maxInFlight,
                           BrokerCounters counters, RateLimitedLog warnings, ClientTls tls, TlsEvents tlsEvents) {
        this.tls = tls;
        this.tlsEvents = tlsEvents;
        this.group = group;
        this.bootstrap = bootstrap;
        this.resolver = resolver;
        this.maxInFlight = maxInFlight;
        this.counters = counters;
        this.warnings = warnings;
    }

    @Override
    public CompletionStage<BrokerConnection> connect(Endpoint endpoint, Runnable onClosed) {
        EventLoop loop = group.next();
        BrokerConnection[] self = new BrokerConnection[1];
        BrokerConnection connection = new BrokerConnection(endpoint, maxInFlight, counters, warnings, () -> {
            live.remove(self[0]);
            onClosed.run();
        });
        self[0] = connection;
        connection.bindLoop(loop);
        live.add(connection);
        String host = endpoint.host();
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
        if (literal != null) {
            open(loop, connection, new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(host), endpoint.port()));
        } else {
            // A DNS lookup blocks, and this may run on an I/O thread: resolve on a virtual thread.
            try {
                CompletableFuture.supplyAsync(() -> new InetSocketAddress(host, endpoint.port()), resolver)
                        .whenComplete((address, error) -> {
                            if (error != null || address.isUnresolved()) {
                                connection.connectFailed(error != null ? error : new UnknownHostException(host));
                            } else if (!connection.closing()) {
                                open(loop, connection, address);
                            }
                        });
            } catch (RuntimeException e) { // the resolver is shut down: the broker is closing
                connection.connectFailed(e);
            }
        }
        return connection.ready().handle((v, error) -> {
            if (error != null) {
                live.remove(connection);
                throw error instanceof RuntimeException re ? re : new IllegalStateException(error);
            }
            return connection;
        });
    }

    private void open(EventLoop loop, BrokerConnection connection, InetSocketAddress address) {
        try {
            bootstrap.clone(loop).handler(handlerFor(connection)).connect(address).addListener(f -> {
                if (!f.isSuccess()) {
                    connection.connectFailed(f.cause());
                }
            });
        } catch (RuntimeException e) { // for example the group is shutting down
            connection.connectFailed(e);
        }
    }

    /**
     * The connection handler alone, or behind TLS: SslHandler, then {@link ClientHandshake}, which
     * lets the connection see channelActive (and the pool have it) only after the handshake.
     */
    private ChannelHandler handlerFor(BrokerConnection connection) {
        if (tls == null) {
            return connection;
        }
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast("netkit-tls", tls.newHandler(ch.alloc(), connection.endpoint))
                        .addLast("netkit-tls-handshake", new ClientHandshake(connection.endpoint, tlsEvents, warnings,
                                connection::close))
                        .addLast("netkit-broker", connection);
            }
        };
    }

    @Override
    public boolean isUsable(BrokerConnection connection) {
        return connection.isUsable();
    }

    @Override
    public void close(BrokerConnection connection) {
        // Idle, expired and evicted connections carry no requests when closed; one that failed
        // validation or was invalidated may, and their requests lost their connection.
        connection.close(new ConnectionLostException("connection to " + connection.endpoint
                + " was closed by its pool (failed validation or invalidated after an error)"));
    }

    /** Closes every live connection, failing what is on them with {@code reason}. */
    public void closeAll(NetkitException reason) {
        for (BrokerConnection c : List.copyOf(live)) {
            c.close(reason);
        }
    }
}
