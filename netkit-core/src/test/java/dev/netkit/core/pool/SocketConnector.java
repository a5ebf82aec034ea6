package dev.netkit.core.pool;

import dev.netkit.core.endpoint.Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test-only {@link Connector} over plain {@link Socket}s on virtual threads: the connect (with
 * its own timeout, longer than the pool's dial timeout so the pool's is the one tested) runs on a
 * virtual thread, and a virtual reader thread per connection queues the bytes it receives and
 * reports end-of-stream or an error through the pool's {@code onClosed}. {@link #close()} closes
 * every socket it ever opened, including connects still in progress.
 */
final class SocketConnector implements Connector<SocketConnector.Conn>, AutoCloseable {
    /** One connection. */
    static final class Conn {
        final Socket socket;
        final BlockingQueue<Integer> received = new LinkedBlockingQueue<>();
        /** Set once, by whoever closes first: the pool (through {@link #close}) or the reader (peer gone). */
        final AtomicBoolean closed = new AtomicBoolean();
        volatile boolean closedByPeer;

        Conn(Socket socket) {
            this.socket = socket;
        }

        /** Sends one byte and waits up to {@code timeout} for the echo server to send it back. */
        boolean echoes(int b, Duration timeout) {
            try {
                socket.getOutputStream().write(b);
                socket.getOutputStream().flush();
                Integer back = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return back != null && back == b;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        @Override
        public String toString() {
            return "Conn[" + socket.getLocalPort() + "->" + socket.getPort() + (closed.get() ? ", closed" : "") + "]";
        }
    }

    final AtomicInteger dials = new AtomicInteger();
    private final Duration connectTimeout;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

    SocketConnector(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    @Override
    public CompletionStage<Conn> connect(Endpoint endpoint, Runnable onClosed) {
        dials.incrementAndGet();
        CompletableFuture<Conn> f = new CompletableFuture<>();
        Socket s = new Socket();
        sockets.add(s);
        Thread.ofVirtual().name("test-dial-" + endpoint).start(() -> {
            try {
                s.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), (int) connectTimeout.toMillis());
                s.setTcpNoDelay(true);
                Conn c = new Conn(s);
                Thread.ofVirtual().name("test-reader-" + s.getLocalPort()).start(() -> read(c, onClosed));
                f.complete(c);
            } catch (IOException | RuntimeException e) {
                closeQuietly(s);
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    private void read(Conn c, Runnable onClosed) {
        try {
            InputStream in = c.socket.getInputStream();
            for (int b; (b = in.read()) >= 0; ) {
                c.received.add(b);
            }
        } catch (IOException e) {
            // reset, or closed by us: either way the connection is gone
        }
        if (c.closed.compareAndSet(false, true)) { // not closed by the pool: the peer went away
            c.closedByPeer = true;
            closeQuietly(c.socket);
            onClosed.run();
        }
    }

    @Override
    public boolean isUsable(Conn c) {
        Socket s = c.socket;
        return !c.closed.get() && s.isConnected() && !s.isClosed() && !s.isInputShutdown();
    }

    @Override
    public void close(Conn c) {
        c.closed.set(true);
        closeQuietly(c.socket);
    }

    /** Sockets not closed yet (connected, or still connecting). */
    long openSockets() {
        return sockets.stream().filter(s -> !s.isClosed()).count();
    }

    @Override
    public void close() {
        sockets.forEach(SocketConnector::closeQuietly);
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}
