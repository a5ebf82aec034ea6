package dev.netkit.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.netkit.gateway.config.GatewayConfig;
import dev.netkit.gateway.config.GatewayConfigParser;
import dev.netkit.gateway.internal.anet.AnetProxyListener;
import dev.netkit.netty.client.Broker;
import dev.netkit.netty.client.BrokerConfig;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.FrameServerConfig;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.testing.TestPki;
import dev.netkit.netty.testing.TestServers;
import dev.netkit.netty.tls.TlsConfig;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS in the gateway: an anet listener terminating TLS, an L4 listener terminating TLS toward a
 * cluster that talks TLS to its endpoints, certificate rotation on reload (same file names, new
 * content) without dropping an open connection, and a broken rotation refused with the listener
 * and file named while the old certificate keeps serving.
 */
class GatewayTlsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    @TempDir
    Path dir;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T later(T c) {
        toClose.add(c);
        return c;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private GatewayConfig parse(String yaml) {
        return new GatewayConfigParser().parse(yaml, "gateway.yaml", dir);
    }

    private Broker client(InetSocketAddress at, Path ca) {
        TlsConfig tls = TlsConfig.builder().mode(TlsConfig.Mode.VERIFIED).caCertificates(ca).serverName("gateway.test").build();
        return later(Broker.create(BrokerConfig.builder().endpoints("127.0.0.1:" + at.getPort())
                .requestTimeout(Duration.ofSeconds(5)).tls(tls).build()));
    }

    private static String sha256(X509Certificate c) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
    }

    @Test
    void anAnetListenerTerminatesTlsAndRotatesItsCertificateOnReload() throws Exception {
        TestPki.Ca ca = TestPki.ca("test-ca");
        Path caFile = ca.write(dir, "ca.pem");
        TestPki.Files first = ca.issue("gateway").dns("gateway.test").write(dir);
        FrameServer echo = later(TestServers.echo());
        String yaml = """
                listeners:
                  - name: front
                    bind: 127.0.0.1:0
                    protocol: anet
                    cluster: up
                    tls: { mode: verified, certificate_chain: gateway.chain.pem, private_key: gateway.key.pem }
                clusters:
                  - name: up
                    endpoints: [ "127.0.0.1:%d" ]
                    health: { enabled: false }
                """.formatted(echo.localAddress().getPort());
        Gateway g = later(Gateway.start(parse(yaml)));
        AnetProxyListener front = (AnetProxyListener) g.listeners().getFirst();
        assertThat(front.server().tlsFingerprint()).hasValue(sha256(first.certificate()));
        Broker open = client(g.address("front"), caFile);
        assertThat(open.call(bytes("over tls"))).isEqualTo(bytes("over tls"));
        assertThat(front.server().stats().tlsHandshakes()).isEqualTo(1);

        // rotation: new content under the same names, then a reload of the unchanged file
        TestPki.Files second = ca.issue("gateway").dns("gateway.test").write(dir);
        g.reload(parse(yaml));
        assertThat(front.server().tlsFingerprint()).hasValue(sha256(second.certificate()));
        assertThat(open.call(bytes("same connection"))).isEqualTo(bytes("same connection"));
        Broker fresh = client(g.address("front"), caFile);
        assertThat(fresh.call(bytes("new connection"))).isEqualTo(bytes("new connection"));

        // a broken rotation: refused naming the listener and the file; the running one stays
        Files.writeString(second.key(), "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n");
        GatewayException e = catchThrowableOfType(GatewayException.class, () -> g.reload(parse(yaml)));
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).startsWith("listener front").contains("tls: ").contains(second.key().toString());
        assertThat(front.server().tlsFingerprint()).hasValue(sha256(second.certificate()));
        assertThat(front.server().stats().tlsReloadFailures()).isEqualTo(1);
        assertThat(client(g.address("front"), caFile).call(bytes("still served"))).isEqualTo(bytes("still served"));
    }

    @Test
    void anL4ListenerTerminatesTlsAndTheClusterTalksTlsToItsEndpoints() throws Exception {
        TestPki.Ca ca = TestPki.ca("test-ca");
        Path caFile = ca.write(dir, "ca.pem");
        ca.issue("gateway").dns("gateway.test").write(dir);
        TestPki.Files backendCert = ca.issue("backend").dns("backend.test").write(dir);
        FrameServer backend = later(FrameServer.builder()
                .config(FrameServerConfig.builder().host("127.0.0.1").port(0).ioThreads(1)
                        .tls(TlsConfig.verified(backendCert.chain(), backendCert.key())).build())
                .handler(RequestHandler.echo()).start());
        Gateway g = later(Gateway.start(parse("""
                listeners:
                  - name: l4
                    bind: 127.0.0.1:0
                    protocol: tcp
                    cluster: up
                    tls: { mode: verified, certificate_chain: gateway.chain.pem, private_key: gateway.key.pem }
                clusters:
                  - name: up
                    endpoints: [ "127.0.0.1:%d" ]
                    health: { enabled: false }
                    tls: { mode: verified, ca_certificates: ca.pem, server_name: backend.test }
                """.formatted(backend.localAddress().getPort()))));

        Broker c = client(g.address("l4"), caFile);
        for (int i = 0; i < 5; i++) {
            assertThat(c.call(bytes("through two TLS hops " + i))).isEqualTo(bytes("through two TLS hops " + i));
        }
        assertThat(backend.stats().tlsHandshakes()).as("the gateway's upstream connection talked TLS").isEqualTo(1);

        // a plaintext client on the TLS listener: closed at once, counted
        InetSocketAddress at = g.address("l4");
        try (Socket plain = new Socket(at.getAddress(), at.getPort())) {
            plain.setSoTimeout(5_000);
            OutputStream out = plain.getOutputStream();
            out.write(new byte[] {0, 8, 0, 0, 0, 1, 'p', 'l', 'a', 'i'});
            out.flush();
            InputStream in = plain.getInputStream();
            assertThat(in.read()).as("closed without an answer").isEqualTo(-1);
        }
        await().atMost(WAIT).untilAsserted(() -> {
            TcpListenerStats s = (TcpListenerStats) g.listenerStats().getFirst();
            assertThat(s.tlsFailures()).containsEntry("not_tls", 1L);
            assertThat(s.tlsHandshakes()).isEqualTo(1);
        });
    }

    @Test
    void aListenerChoosesItsCertificateBySniAndRequiresClientCertificatesFromItsCa() throws Exception {
        TestPki.Ca ca = TestPki.ca("server-ca");
        Path caFile = ca.write(dir, "ca.pem");
        ca.issue("gateway").dns("gateway.test").write(dir);
        ca.issue("api").dns("*.api.test").write(dir);
        TestPki.Ca clientCa = TestPki.ca("client-ca");
        clientCa.write(dir, "client-ca.pem");
        TestPki.Files client = clientCa.issue("client-7").write(dir);
        TestPki.Files stranger = TestPki.ca("other-ca").issue("stranger").write(dir);
        FrameServer echo = later(TestServers.echo());
        Gateway g = later(Gateway.start(parse("""
                listeners:
                  - name: front
                    bind: 127.0.0.1:0
                    protocol: anet
                    cluster: up
                    tls:
                      mode: verified
                      certificate_chain: gateway.chain.pem
                      private_key: gateway.key.pem
                      ca_certificates: client-ca.pem
                      sni_certificates: [ { server_name: "*.api.test", certificate_chain: api.chain.pem, private_key: api.key.pem } ]
                clusters:
                  - name: up
                    endpoints: [ "127.0.0.1:%d" ]
                    health: { enabled: false }
                """.formatted(echo.localAddress().getPort()))));
        String at = "127.0.0.1:" + g.address("front").getPort();
        TlsConfig.Builder viaSni = TlsConfig.builder().mode(TlsConfig.Mode.VERIFIED).caCertificates(caFile).serverName("eu.api.test");

        // the host name check passes only if the gateway presented the *.api.test certificate
        Broker withCertificate = later(Broker.create(BrokerConfig.builder().endpoints(at).requestTimeout(Duration.ofSeconds(5))
                .tls(viaSni.certificateChain(client.chain()).privateKey(client.key()).build()).build()));
        assertThat(withCertificate.call(bytes("sni + mtls"))).isEqualTo(bytes("sni + mtls"));

        for (TlsConfig refused : new TlsConfig[] {
                viaSni.certificateChain(null).privateKey(null).build(),                        // no client certificate
                viaSni.certificateChain(stranger.chain()).privateKey(stranger.key()).build()}) { // another CA's
            Broker b = later(Broker.create(BrokerConfig.builder().endpoints(at).requestTimeout(Duration.ofSeconds(3))
                    .tls(refused).build()));
            Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> b.call(bytes("let me in")));
            assertThat(failure).as("refused: " + refused).isNotNull();
        }
        AnetProxyListener front = (AnetProxyListener) g.listeners().getFirst();
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(front.server().stats().tlsFailedTotal()).as("both refusals counted").isGreaterThanOrEqualTo(2));
        assertThat(echo.stats().requests()).as("only the certified client reached the backend").isEqualTo(1);
    }

    @Test
    void aBrokenCertificateFileFailsTheStartNamingTheListener() throws Exception {
        Files.writeString(dir.resolve("bad.chain.pem"), "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n");
        Files.writeString(dir.resolve("bad.key.pem"), "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n");
        GatewayException e = catchThrowableOfType(GatewayException.class, () -> Gateway.start(parse("""
                listeners:
                  - name: l4
                    bind: 127.0.0.1:0
                    protocol: tcp
                    cluster: up
                    tls: { mode: verified, certificate_chain: bad.chain.pem, private_key: bad.key.pem }
                clusters:
                  - name: up
                    endpoints: [ "127.0.0.1:1" ]
                """)));
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).startsWith("listener l4").contains("tls: ").contains("bad.chain.pem");
    }
}
