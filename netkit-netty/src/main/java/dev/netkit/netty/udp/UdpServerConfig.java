package dev.netkit.netty.udp;

import static dev.netkit.core.internal.Checks.inRange;
import static dev.netkit.core.internal.Checks.notNegative;
import static dev.netkit.core.internal.Checks.positive;

import dev.netkit.netty.transport.IoThreads;
import dev.netkit.netty.transport.TransportKind;
import java.time.Duration;
import java.util.Objects;

/**
 * Immutable configuration of a {@link UdpServer}. Build one with {@link #builder()}; every value
 * is validated at construction with a message naming the field and the value.
 *
 * @param host                  address to bind; default {@code 127.0.0.1}
 * @param port                  port to bind, 0 for any free port; default 7070
 * @param ioThreads             I/O threads; on epoll each gets its own {@code SO_REUSEPORT} socket
 *                              (NIO and io_uring: one socket, on one thread); default half the
 *                              processors, at least one
 * @param transport             native epoll or NIO; default {@link TransportKind#AUTO}
 * @param maxDatagramSize       the largest datagram received or answered, 1 to
 *                              {@value #MAX_UDP_PAYLOAD} bytes; larger ones are dropped and counted
 *                              ({@code oversize}); default 2048
 * @param receiveBatch          datagrams per {@code recvmmsg} call (epoll); the receive buffer of
 *                              one call is {@code receiveBatch × (maxDatagramSize + 1)}, and the
 *                              batch shrinks so that it stays within 1 MiB; 1 means {@code recvmsg};
 *                              default 32
 * @param ratePerSource         datagrams per second one source IP address may send, 0 = no limit;
 *                              beyond it datagrams are dropped and counted ({@code rate}); default 0
 * @param burstPerSource        datagrams a source may send at once above its rate; 0 = one second's
 *                              worth of the rate; default 0
 * @param maxSourcesPerThread   sources whose rate each I/O thread tracks (a fixed table; when it is
 *                              full the least recently seen source in the probed slots is forgotten,
 *                              which gives it a fresh bucket); default 4096
 * @param blockingThreads       worker threads for {@link UdpServer.Builder#blockingHandler}; default 16
 * @param blockingQueueCapacity datagrams waiting for a worker; beyond it they are dropped and counted
 *                              ({@code queue_full}); default 1024
 * @param receiveBufferBytes    {@code SO_RCVBUF} per socket (the kernel caps it at
 *                              {@code net.core.rmem_max}), 0 = the kernel's default; default 4 MiB
 * @param sendBufferBytes       {@code SO_SNDBUF} per socket, 0 = the kernel's default; default 0
 * @param udpGro                receive with {@code UDP_GRO} (epoll): coalesced segments arrive as
 *                              one buffer that is split again by its segment size. Netty 4.2.18
 *                              loses the segment size when GRO and {@code recvmmsg} are combined,
 *                              so GRO turns {@code recvmmsg} off ({@code recvmsg} with a 64 KiB
 *                              buffer); default false
 * @param shutdownTimeout       how long {@link UdpServer#stop()} waits for blocking handlers to
 *                              finish the queued datagrams; default 5 s
 */
public record UdpServerConfig(
        String host,
        int port,
        int ioThreads,
        TransportKind transport,
        int maxDatagramSize,
        int receiveBatch,
        double ratePerSource,
        int burstPerSource,
        int maxSourcesPerThread,
        int blockingThreads,
        int blockingQueueCapacity,
        int receiveBufferBytes,
        int sendBufferBytes,
        boolean udpGro,
        Duration shutdownTimeout) {

    /** The largest UDP payload over IPv4: 65,535 − 20 (IP header) − 8 (UDP header). */
    public static final int MAX_UDP_PAYLOAD = 65_507;

    /** Validates every field. */
    public UdpServerConfig {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host: '" + host + "' (expected: a host name or IP address)");
        }
        inRange("port", port, 0, 65_535);
        positive("ioThreads", ioThreads);
        Objects.requireNonNull(transport, "transport");
        inRange("maxDatagramSize", maxDatagramSize, 1, MAX_UDP_PAYLOAD);
        inRange("receiveBatch", receiveBatch, 1, 1024);
        if (!(ratePerSource >= 0) || Double.isInfinite(ratePerSource)) {
            throw new IllegalArgumentException("ratePerSource: " + ratePerSource + " (expected: >= 0, 0 = no limit)");
        }
        notNegative("burstPerSource", burstPerSource);
        inRange("maxSourcesPerThread", maxSourcesPerThread, 16, 1 << 24);
        positive("blockingThreads", blockingThreads);
        positive("blockingQueueCapacity", blockingQueueCapacity);
        notNegative("receiveBufferBytes", receiveBufferBytes);
        notNegative("sendBufferBytes", sendBufferBytes);
        notNegative("shutdownTimeout", shutdownTimeout);
    }

    /** The defaults described on each component. */
    public static UdpServerConfig defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Mutable builder for {@link UdpServerConfig}; {@link #build()} validates. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 7070;
        private int ioThreads = IoThreads.defaultCount();
        private TransportKind transport = TransportKind.AUTO;
        private int maxDatagramSize = 2048;
        private int receiveBatch = 32;
        private double ratePerSource;
        private int burstPerSource;
        private int maxSourcesPerThread = 4096;
        private int blockingThreads = 16;
        private int blockingQueueCapacity = 1024;
        private int receiveBufferBytes = 4 << 20;
        private int sendBufferBytes;
        private boolean udpGro;
        private Duration shutdownTimeout = Duration.ofSeconds(5);

        private Builder() {}

        private Builder(UdpServerConfig c) {
            host = c.host;
            port = c.port;
            ioThreads = c.ioThreads;
            transport = c.transport;
            maxDatagramSize = c.maxDatagramSize;
            receiveBatch = c.receiveBatch;
            ratePerSource = c.ratePerSource;
            burstPerSource = c.burstPerSource;
            maxSourcesPerThread = c.maxSourcesPerThread;
            blockingThreads = c.blockingThreads;
            blockingQueueCapacity = c.blockingQueueCapacity;
            receiveBufferBytes = c.receiveBufferBytes;
            sendBufferBytes = c.sendBufferBytes;
            udpGro = c.udpGro;
            shutdownTimeout = c.shutdownTimeout;
        }

        /** @see UdpServerConfig#host() */
        public Builder host(String value) { host = value; return this; }
        /** @see UdpServerConfig#port() */
        public Builder port(int value) { port = value; return this; }
        /** @see UdpServerConfig#ioThreads() */
        public Builder ioThreads(int value) { ioThreads = value; return this; }
        /** @see UdpServerConfig#transport() */
        public Builder transport(TransportKind value) { transport = value; return this; }
        /** @see UdpServerConfig#maxDatagramSize() */
        public Builder maxDatagramSize(int value) { maxDatagramSize = value; return this; }
        /** @see UdpServerConfig#receiveBatch() */
        public Builder receiveBatch(int value) { receiveBatch = value; return this; }
        /** @see UdpServerConfig#ratePerSource() */
        public Builder ratePerSource(double value) { ratePerSource = value; return this; }
        /** @see UdpServerConfig#burstPerSource() */
        public Builder burstPerSource(int value) { burstPerSource = value; return this; }
        /** @see UdpServerConfig#maxSourcesPerThread() */
        public Builder maxSourcesPerThread(int value) { maxSourcesPerThread = value; return this; }
        /** @see UdpServerConfig#blockingThreads() */
        public Builder blockingThreads(int value) { blockingThreads = value; return this; }
        /** @see UdpServerConfig#blockingQueueCapacity() */
        public Builder blockingQueueCapacity(int value) { blockingQueueCapacity = value; return this; }
        /** @see UdpServerConfig#receiveBufferBytes() */
        public Builder receiveBufferBytes(int value) { receiveBufferBytes = value; return this; }
        /** @see UdpServerConfig#sendBufferBytes() */
        public Builder sendBufferBytes(int value) { sendBufferBytes = value; return this; }
        /** @see UdpServerConfig#udpGro() */
        public Builder udpGro(boolean value) { udpGro = value; return this; }
        /** @see UdpServerConfig#shutdownTimeout() */
        public Builder shutdownTimeout(Duration value) { shutdownTimeout = value; return this; }

        /** Validates and builds the configuration. */
        public UdpServerConfig build() {
            return new UdpServerConfig(host, port, ioThreads, transport, maxDatagramSize, receiveBatch, ratePerSource,
                    burstPerSource, maxSourcesPerThread, blockingThreads, blockingQueueCapacity, receiveBufferBytes,
                    sendBufferBytes, udpGro, shutdownTimeout);
        }
    }
}
