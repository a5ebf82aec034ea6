package dev.netkit.bench;

import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.FrameServerConfig;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.tls.TlsConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.Future;
import java.lang.reflect.Method;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * TLS handshakes per second against a {@link FrameServer} on ONE I/O thread (issue 12): each
 * operation opens a loopback connection with a client {@link SslHandler}, waits for the handshake
 * to complete, sends one 1-byte request and waits for its answer (a TLS 1.3 server sends its
 * session ticket after the handshake; without the round trip the client never holds one), and
 * closes the connection (without waiting for the close). {@code provider} is both sides'
 * TLS implementation (server: {@code --tls self-signed}, EC P-256; client: Netty's
 * {@link SslContext} of the same provider, trusting anything). {@code session}: {@code full}
 * creates each engine without the peer's host and port, so neither the JDK nor Netty's OpenSSL
 * client session cache can offer a session; {@code resumed} gives them, so a client reuses the
 * ticket of an earlier connection (TLS 1.3 PSK). Whether a handshake really resumed is counted
 * per operation (OpenSSL: the engine's {@code isSessionReused}; JDK: the session's creation time
 * before the operation started) and printed at each iteration's end as a fraction.
 *
 * <p>Several client threads (JMH {@code -t}, default 3) keep the single server thread busy; the
 * clients share the same 2 vCPUs on the build machine, so the figure is a lower bound of the
 * server's capacity: read the server thread's CPU share with it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(3)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class TlsHandshakeBenchmark {
    @Param({"openssl", "jdk"})
    public String provider;

    @Param({"full", "resumed"})
    public String session;

    private static final io.netty.util.AttributeKey<io.netty.util.concurrent.Promise<Void>> ANSWERED =
            io.netty.util.AttributeKey.valueOf("answered");
    /** One anet request: length 5 (id + 1 byte), id 1, payload 0x2a. */
    private static final byte[] REQUEST = {0, 5, 0, 0, 0, 1, 42};

    private FrameServer server;
    private EventLoopGroup group;
    private SslContext client;
    private Bootstrap bootstrap;
    private int port;
    private boolean resumed;
    private Method reusedMethod;
    private final LongAdder ops = new LongAdder();
    private final LongAdder reused = new LongAdder();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        TlsConfig tls = TlsConfig.selfSigned().toBuilder()
                .provider("openssl".equals(provider) ? TlsConfig.Provider.OPENSSL : TlsConfig.Provider.JDK)
                .maxHandshakes(4096).build();
        server = FrameServer.builder()
                .config(FrameServerConfig.builder().host("127.0.0.1").port(0).ioThreads(1).tls(tls).build())
                .handler(RequestHandler.echo()).start();
        port = server.localAddress().getPort();
        resumed = "resumed".equals(session);
        SslProvider p = "openssl".equals(provider) ? SslProvider.OPENSSL : SslProvider.JDK;
        client = SslContextBuilder.forClient().sslProvider(p).trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                SslHandler ssl = resumed ? client.newHandler(ch.alloc(), "127.0.0.1", port) : client.newHandler(ch.alloc());
                ch.pipeline().addLast(ssl, new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        io.netty.util.ReferenceCountUtil.release(msg);
                        ctx.channel().attr(ANSWERED).get().trySuccess(null);
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        ctx.close();
                    }
                });
                ch.attr(ANSWERED).set(ch.eventLoop().newPromise());
            }
        });
        if (p == SslProvider.OPENSSL) {
            reusedMethod = Class.forName("io.netty.handler.ssl.ReferenceCountedOpenSslEngine").getDeclaredMethod("isSessionReused");
            reusedMethod.setAccessible(true);
        }
    }

    @Benchmark
    public boolean handshake() throws Exception {
        long start = System.currentTimeMillis();
        Channel ch = bootstrap.connect("127.0.0.1", port).sync().channel();
        SslHandler ssl = ch.pipeline().get(SslHandler.class);
        Future<Channel> done = ssl.handshakeFuture().await();
        if (!done.isSuccess()) {
            ch.close();
            throw new IllegalStateException("handshake failed", done.cause());
        }
        // one request and its answer: a TLS 1.3 server sends its session ticket after the
        // handshake, so a client that closed at once would never hold a ticket to resume with
        ch.writeAndFlush(io.netty.buffer.Unpooled.wrappedBuffer(REQUEST));
        if (!ch.attr(ANSWERED).get().await(5, TimeUnit.SECONDS)) {
            ch.close();
            throw new IllegalStateException("no answer within 5 s");
        }
        SSLEngine engine = ssl.engine();
        boolean r = reusedMethod != null ? (boolean) reusedMethod.invoke(engine) : wasResumed(engine.getSession(), start);
        ops.increment();
        if (r) {
            reused.increment();
        }
        ch.close();
        return r;
    }

    private static boolean wasResumed(SSLSession s, long start) {
        return s.getCreationTime() < start;
    }

    @TearDown(Level.Iteration)
    public void printReuse() {
        long n = ops.sumThenReset();
        long r = reused.sumThenReset();
        System.out.printf("%n[tls-handshake provider=%s session=%s] handshakes %d, resumed %d (%.3f)%n",
                provider, session, n, r, n == 0 ? 0.0 : (double) r / n);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        server.close();
    }
}
