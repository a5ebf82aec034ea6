package dev.netkit.netty.udp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;

/** A plain JDK datagram socket on loopback (independent of Netty) for the UDP tests. */
final class UdpPeer implements AutoCloseable {
    private final DatagramSocket socket;
    private final InetSocketAddress server;

    /** A socket on {@code localIp} (any 127.x address works on Linux loopback), any port. */
    UdpPeer(String localIp, InetSocketAddress server) {
        try {
            this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(localIp), 0));
            this.socket.setReceiveBufferSize(4 << 20);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.server = server;
    }

    UdpPeer(InetSocketAddress server) {
        this("127.0.0.1", server);
    }

    void send(byte[] payload) {
        try {
            socket.send(new DatagramPacket(payload, payload.length, server));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next datagram's payload, or null when none arrives within {@code timeoutMillis}. */
    byte[] receive(int timeoutMillis) {
        byte[] buffer = new byte[65_536];
        DatagramPacket p = new DatagramPacket(buffer, buffer.length);
        try {
            socket.setSoTimeout(timeoutMillis);
            socket.receive(p);
            return Arrays.copyOf(buffer, p.getLength());
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Counts datagrams until none arrives for {@code quietMillis}. */
    int drain(int quietMillis) {
        int n = 0;
        while (receive(quietMillis) != null) {
            n++;
        }
        return n;
    }

    int localPort() {
        return socket.getLocalPort();
    }

    @Override
    public void close() {
        socket.close();
    }

    static byte[] bytes(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }
}
