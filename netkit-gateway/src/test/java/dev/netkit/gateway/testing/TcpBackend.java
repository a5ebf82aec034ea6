package dev.netkit.gateway.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A plain TCP backend for L4 proxy tests, on a loopback port, one virtual thread per connection.
 * On connect it may greet with its name (so a test sees which backend a connection reached), then
 * echoes until the client's FIN, then shuts its own output (a half-close passed back). It can read
 * the PROXY v2 header first, and can be told to stop reading (backpressure tests).
 */
public final class TcpBackend implements AutoCloseable {
    private final String name;
    private final boolean greet;
    private final boolean readsProxyHeader;
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<byte[]> proxyHeaders = new CopyOnWriteArrayList<>();
    private final AtomicLong bytesEchoed = new AtomicLong();
    private final Semaphore reading = new Semaphore(1);

    private TcpBackend(String name, boolean greet, boolean readsProxyHeader) throws IOException {
        this.name = name;
        this.greet = greet;
        this.readsProxyHeader = readsProxyHeader;
        this.server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        threads.submit(this::acceptLoop);
    }

    /** Echoes; greets each connection with {@code name + "\n"}. */
    public static TcpBackend greeting(String name) throws IOException {
        return new TcpBackend(name, true, false);
    }

    /** Echoes only. */
    public static TcpBackend echo() throws IOException {
        return new TcpBackend("echo", false, false);
    }

    /** Reads a PROXY v2 header first (kept for the test), then greets and echoes. */
    public static TcpBackend expectingProxyHeader(String name) throws IOException {
        return new TcpBackend(name, true, true);
    }

    public String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    public int port() {
        return server.getLocalPort();
    }

    public List<byte[]> proxyHeaders() {
        return proxyHeaders;
    }

    public long bytesEchoed() {
        return bytesEchoed.get();
    }

    /** Stops reading from every connection until {@link #resumeReading()}. */
    public void pauseReading() throws InterruptedException {
        reading.acquire();
    }

    public void resumeReading() {
        reading.release();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                threads.submit(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            if (readsProxyHeader) {
                byte[] fixed = in.readNBytes(16);
                int len = ((fixed[14] & 0xFF) << 8) | (fixed[15] & 0xFF);
                byte[] rest = in.readNBytes(len);
                byte[] all = new byte[16 + len];
                System.arraycopy(fixed, 0, all, 0, 16);
                System.arraycopy(rest, 0, all, 16, len);
                proxyHeaders.add(all);
            }
            if (greet) {
                out.write((name + "\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            byte[] buf = new byte[16384];
            while (true) {
                reading.acquire();
                reading.release();
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                out.write(buf, 0, n);
                bytesEchoed.addAndGet(n);
            }
            s.shutdownOutput();
        } catch (IOException | InterruptedException e) {
            // the peer went away, or the backend is closing
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
        reading.release();
        threads.shutdownNow();
    }
}
