package dev.netkit.cli.demo;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.FrameServerConfig;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.transport.IoGroup;
import dev.netkit.netty.transport.TransportKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Echo backends on loopback, in this process, on one shared event loop, each of which can be
 * killed and restarted on the same port (a fresh {@link FrameServer} per life).
 *
 * <p>A kill stops the server: the listening socket closes and so does every connection at once.
 * The echo handler answers on the event loop as each request is read, so the server never owes
 * an answer: what a client had written but the server had not yet read is lost, as when a process
 * dies. Thread-safe (one lock; kills, restarts and reads may come from any thread).
 */
public final class DemoBackends implements AutoCloseable {
    private static final Duration REBIND_FOR = Duration.ofSeconds(2);

    private final IoGroup io = IoGroup.create(TransportKind.AUTO, 1, "netkit-demo-backend");
    private final List<Backend> backends = new ArrayList<>(); // guarded by this

    private static final class Backend {
        final int port;
        FrameServer live; // null while killed
        final List<Long> requestsPerLife = new ArrayList<>();

        Backend(FrameServer server) {
            this.port = server.localAddress().getPort();
            this.live = server;
        }
    }

    private DemoBackends() {}

    /** Starts {@code count} backends on free loopback ports. */
    public static DemoBackends start(int count) {
        DemoBackends b = new DemoBackends();
        try {
            for (int i = 0; i < count; i++) {
                b.backends.add(new Backend(b.serve(0)));
            }
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
        return b;
    }

    private FrameServer serve(int port) {
        return FrameServer.builder()
                .io(io)
                .config(FrameServerConfig.builder().host("127.0.0.1").port(port).shutdownTimeout(Duration.ofSeconds(1)).build())
                .handler(RequestHandler.echo())
                .start();
    }

    /** How many backends there are. */
    public synchronized int size() {
        return backends.size();
    }

    /** Backend {@code i}'s address (the same in every life). */
    public synchronized Endpoint endpoint(int i) {
        return new Endpoint("127.0.0.1", backends.get(i).port);
    }

    /** The transport of the backends' event loop. */
    public String transportName() {
        return io.transportName();
    }

    /** Stops backend {@code i}: no more connections accepted, every open one closed now. */
    public synchronized void kill(int i) {
        Backend b = backends.get(i);
        if (b.live != null) {
            b.live.stop();
            b.requestsPerLife.add(b.live.stats().requests());
            b.live = null;
        }
    }

    /**
     * Starts backend {@code i} again on its port. Binding is retried for a while, in case the port
     * is not free yet.
     *
     * @throws RuntimeException when the port could not be bound again
     */
    public synchronized void restart(int i) throws InterruptedException {
        Backend b = backends.get(i);
        if (b.live != null) {
            return;
        }
        long deadline = System.nanoTime() + REBIND_FOR.toNanos();
        while (true) {
            try {
                b.live = serve(b.port);
                return;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50); // the port is not free yet: try again shortly
            }
        }
    }

    /** Requests backend {@code i} handled in each of its lives so far, the current one included. */
    public synchronized List<Long> requestsPerLife(int i) {
        Backend b = backends.get(i);
        List<Long> lives = new ArrayList<>(b.requestsPerLife);
        if (b.live != null) {
            lives.add(b.live.stats().requests());
        }
        return lives;
    }

    /** Stops every backend, then the event loop. */
    @Override
    public synchronized void close() {
        for (Backend b : backends) {
            if (b.live != null) {
                b.live.stop();
                b.requestsPerLife.add(b.live.stats().requests());
                b.live = null;
            }
        }
        io.close();
    }
}
