package dev.netkit.netty.testing;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A fake v1 server on a plain {@link ServerSocket}: the test reads each request and decides what
 * (if anything) goes back, with which id, in which order. Reads are bounded by a socket timeout.
 */
public final class ScriptedPeer implements AutoCloseable {
    private final ServerSocket listener;
    private Socket socket;
    private DataInputStream in;
    private OutputStream out;

    /** A request as the peer saw it. */
    public record Request(int id, byte[] payload) {}

    public ScriptedPeer() throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        listener.setSoTimeout(5_000);
    }

    public int port() {
        return listener.getLocalPort();
    }

    public String endpoint() {
        return "127.0.0.1:" + port();
    }

    /** Waits (bounded) for the broker's connection. */
    public ScriptedPeer accept() throws IOException {
        socket = listener.accept();
        socket.setSoTimeout(5_000);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        return this;
    }

    public Request read() throws IOException {
        int len = in.readUnsignedShort();
        int id = in.readInt();
        byte[] payload = new byte[len - 4];
        in.readFully(payload);
        return new Request(id, payload);
    }

    public void reply(int id, byte[] payload) throws IOException {
        out.write(RawClient.frame(id, payload));
        out.flush();
    }

    public void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Whether any byte arrives within {@code timeoutMs} (false on timeout). */
    public boolean receivesAnythingWithin(int timeoutMs) throws IOException {
        socket.setSoTimeout(timeoutMs);
        try {
            return in.read() >= 0;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } finally {
            socket.setSoTimeout(5_000);
        }
    }

    /** Kills the connection with an RST, as a crashed server would. */
    public void kill() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            socket.close();
        }
        listener.close();
    }
}
