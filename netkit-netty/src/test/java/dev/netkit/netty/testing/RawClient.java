package dev.netkit.netty.testing;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/**
 * A plain {@link Socket} speaking raw bytes, for tests that must see exactly what is on the wire
 * and for sending malformed input. Every read is bounded by a socket timeout.
 */
public final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;

    public RawClient(InetSocketAddress address) throws IOException {
        this(address, 5_000);
    }

    public RawClient(InetSocketAddress address, int readTimeoutMs) throws IOException {
        this(address, readTimeoutMs, 0);
    }

    /**
     * @param receiveBufferBytes SO_RCVBUF set before connecting (so the TCP window follows it), or 0
     *                           for the system default; a small one makes a client that stops
     *                           reading push back on the server after a few kilobytes
     */
    public RawClient(InetSocketAddress address, int readTimeoutMs, int receiveBufferBytes) throws IOException {
        this(address, readTimeoutMs, receiveBufferBytes, null);
    }

    /**
     * A client connecting from {@code localHost} (another loopback address, such as
     * {@code 127.0.0.2}, plays another client IP).
     */
    public static RawClient from(String localHost, InetSocketAddress address) throws IOException {
        return new RawClient(address, 5_000, 0, localHost);
    }

    private RawClient(InetSocketAddress address, int readTimeoutMs, int receiveBufferBytes, String localHost) throws IOException {
        socket = new Socket();
        if (localHost != null) {
            socket.bind(new InetSocketAddress(localHost, 0));
        }
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes);
        }
        socket.setTcpNoDelay(true);
        socket.connect(address, 5_000);
        socket.setSoTimeout(readTimeoutMs);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
    }

    /** A v1 frame: LEN (4 + payload), 4 correlation bytes, payload. */
    public static byte[] frame(int correlation, byte[] payload) {
        return ByteBuffer.allocate(6 + payload.length)
                .putShort((short) (4 + payload.length)).putInt(correlation).put(payload).array();
    }

    public void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads exactly {@code n} bytes. */
    public byte[] readExactly(int n) throws IOException {
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    /**
     * Writes {@code n} one-byte frames (correlation ids 1..n) at once and reads answers until all
     * {@code n} came or the server closed the connection (a policing limit answers what it started,
     * then closes); returns how many were answered.
     */
    public int writeFramesCountAnswers(int n) throws IOException {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (int i = 1; i <= n; i++) {
            all.write(frame(i, new byte[] {(byte) i}));
        }
        write(all.toByteArray());
        int answered = 0;
        try {
            for (; answered < n; answered++) {
                readFrame();
            }
        } catch (IOException closed) {
            // closed by the server: what it answered before is the count
        }
        return answered;
    }

    /** Reads one frame and returns it whole (header included). */
    public byte[] readFrame() throws IOException {
        int len = in.readUnsignedShort();
        byte[] rest = readExactly(len);
        return ByteBuffer.allocate(2 + len).putShort((short) len).put(rest).array();
    }

    /** True if the server closes the connection (EOF or reset) before {@code timeoutMs} passes. */
    public boolean closedByPeerWithin(int timeoutMs) throws IOException {
        socket.setSoTimeout(timeoutMs);
        try {
            InputStream s = socket.getInputStream();
            byte[] discard = new byte[4096];
            while (s.read(discard) >= 0) {
                // drain whatever is still owed until end-of-stream
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (EOFException e) {
            return true;
        } catch (IOException e) { // connection reset
            return true;
        }
    }

    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Closes with an RST instead of a FIN. */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    public Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
