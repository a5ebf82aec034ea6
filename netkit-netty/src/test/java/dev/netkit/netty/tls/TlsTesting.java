package dev.netkit.netty.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.netkit.core.error.TlsHandshakeException;
import dev.netkit.core.event.EventBus;
import dev.netkit.core.retry.RetryPolicy;
import dev.netkit.netty.client.Broker;
import dev.netkit.netty.client.BrokerConfig;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.testing.TestServers;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/** Servers, brokers and raw TLS clients for the TLS tests. */
final class TlsTesting {
    static final Duration WAIT = Duration.ofSeconds(10);

    private TlsTesting() {}

    static FrameServer server(TlsConfig tls) {
        return server(tls, RequestHandler.echo(), null);
    }

    static FrameServer server(TlsConfig tls, RequestHandler handler, EventBus bus) {
        FrameServer.Builder b = FrameServer.builder().config(TestServers.loopback().tls(tls).build()).handler(handler);
        return (bus == null ? b : b.events(bus)).start();
    }

    static BrokerConfig.Builder brokerConfig(InetSocketAddress server, TlsConfig tls) {
        return BrokerConfig.builder().endpoints("127.0.0.1:" + server.getPort()).tls(tls).retry(RetryPolicy.none())
                .requestTimeout(Duration.ofSeconds(5)).connectTimeout(Duration.ofSeconds(5)).ioThreads(1);
    }

    static Broker broker(FrameServer server, TlsConfig tls) {
        return Broker.create(brokerConfig(server.localAddress(), tls).build());
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static void assertEchoes(Broker broker, String text) {
        assertThat(new String(broker.call(bytes(text)), StandardCharsets.US_ASCII)).isEqualTo(text);
    }

    /** The TLS failure a call on {@code broker} ends with (anywhere in the cause chain). */
    static TlsHandshakeException tlsFailure(Broker broker) {
        try {
            broker.call(bytes("never answered"));
        } catch (RuntimeException e) {
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof TlsHandshakeException t) {
                    return t;
                }
            }
            throw new AssertionError("expected a TlsHandshakeException in the cause chain of " + e, e);
        }
        return fail("the call succeeded, expected a TLS failure");
    }

    /** A JDK TLS client that trusts anything, asking for {@code sni} (null: none), with only {@code protocols}. */
    static SSLSocket rawTls(InetSocketAddress address, String sni, String... protocols) throws IOException, GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
        socket.connect(address, 3_000);
        socket.setSoTimeout(5_000);
        SSLParameters params = socket.getSSLParameters();
        if (sni != null) {
            params.setServerNames(List.of(new SNIHostName(sni)));
        }
        params.setProtocols(protocols.length == 0 ? new String[] {"TLSv1.3"} : protocols);
        socket.setSSLParameters(params);
        return socket;
    }
}
