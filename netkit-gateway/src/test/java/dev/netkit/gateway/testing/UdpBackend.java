package dev.netkit.gateway.testing;

import dev.netkit.netty.udp.UdpServer;
import dev.netkit.netty.udp.UdpServerConfig;
import java.nio.charset.StandardCharsets;

/**
 * A real UDP backend on loopback for gateway tests: answers each datagram with its one-byte
 * {@code id} followed by the datagram's bytes, so a client can tell which endpoint answered.
 */
public final class UdpBackend implements AutoCloseable {
    private final UdpServer server;
    private final char id;

    private UdpBackend(char id) {
        this.id = id;
        this.server = UdpServer.builder()
                .config(UdpServerConfig.builder().host("127.0.0.1").port(0).ioThreads(1).build())
                .handler((datagram, responder) -> {
                    var reply = responder.reply(datagram.length() + 1);
                    reply.writeByte(id);
                    datagram.copyTo(reply);
                })
                .start();
    }

    /** A backend whose answers start with {@code id}. */
    public static UdpBackend tagged(char id) {
        return new UdpBackend(id);
    }

    /** {@code 127.0.0.1:PORT}. */
    public String address() {
        return "127.0.0.1:" + server.localAddress().getPort();
    }

    public char id() {
        return id;
    }

    /** Datagrams received. */
    public long received() {
        return server.stats().packetsIn();
    }

    /** The answer this backend gives to {@code text}. */
    public byte[] answer(String text) {
        return (id + text).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
        server.stop();
    }
}
