package dev.netkit.netty.tls;

import static dev.netkit.netty.tls.TlsTesting.WAIT;
import static dev.netkit.netty.tls.TlsTesting.broker;
import static dev.netkit.netty.tls.TlsTesting.brokerConfig;
import static dev.netkit.netty.tls.TlsTesting.server;
import static dev.netkit.netty.tls.TlsTesting.tlsFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.error.ErrorKind;
import dev.netkit.core.error.TlsHandshakeException;
import dev.netkit.core.event.EventBus;
import dev.netkit.core.event.Side;
import dev.netkit.core.event.TlsHandshakeFailed;
import dev.netkit.netty.client.Broker;
import dev.netkit.netty.client.BrokerHooks;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.testing.EventLog;
import dev.netkit.netty.testing.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Certificates a client or a server must refuse, on real sockets over both providers: each fails
 * the broker's connect with a {@link TlsHandshakeException} naming the reason (and, on the server,
 * is counted by reason).
 */
class TlsBadCertificateTest {
    @TempDir
    Path dir;

    private TlsHandshakeException clientRefuses(TestPki.Files serverCert, TestPki.Ca trusted, TlsConfig.Provider provider) throws Exception {
        Path caFile = trusted.write(dir, "trusted-ca.pem");
        EventLog log = new EventLog();
        try (EventBus bus = EventBus.create();
             FrameServer server = server(TlsConfig.verified(serverCert.chain(), serverCert.key()).toBuilder().provider(provider).build())) {
            bus.subscribe(log);
            try (Broker broker = Broker.create(brokerConfig(server.localAddress(), TlsConfig.builder().mode(TlsConfig.Mode.VERIFIED)
                    .caCertificates(caFile).provider(provider).build()).build(), BrokerHooks.builder().events(bus).build())) {
                TlsHandshakeException e = tlsFailure(broker);
                assertThat(e.kind()).isEqualTo(ErrorKind.CONNECTION_LOST);
                assertThat(e.getMessage()).contains("TLS handshake with 127.0.0.1:" + server.localAddress().getPort() + " failed: " + e.reason());
                await().atMost(WAIT).until(() -> log.of(TlsHandshakeFailed.class).stream().anyMatch(f -> f.side() == Side.CLIENT));
                assertThat(log.of(TlsHandshakeFailed.class).stream().filter(f -> f.side() == Side.CLIENT).findFirst().orElseThrow().reason())
                        .isEqualTo(e.reason());
                assertThat(server.stats().tlsHandshakes()).as("the server never completed one").isZero();
                return e;
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
    void anExpiredServerCertificateIsRefused(TlsConfig.Provider provider) throws Exception {
        TestPki.Ca ca = TestPki.ca("ca");
        TestPki.Files cert = ca.issue("expired").ip("127.0.0.1")
                .valid(Instant.now().minus(Duration.ofDays(10)), Instant.now().minus(Duration.ofDays(1))).write(dir);
        assertThat(clientRefuses(cert, ca, provider).reason()).isEqualTo("certificate_expired");
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
    void aNotYetValidServerCertificateIsRefused(TlsConfig.Provider provider) throws Exception {
        TestPki.Ca ca = TestPki.ca("ca");
        TestPki.Files cert = ca.issue("future").ip("127.0.0.1")
                .valid(Instant.now().plus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(10))).write(dir);
        assertThat(clientRefuses(cert, ca, provider).reason()).isEqualTo("certificate_not_yet_valid");
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
    void aCertificateForAnotherHostIsRefused(TlsConfig.Provider provider) throws Exception {
        TestPki.Ca ca = TestPki.ca("ca");
        TestPki.Files cert = ca.issue("elsewhere").dns("elsewhere.example").ip("10.9.8.7").write(dir);
        TlsHandshakeException e = clientRefuses(cert, ca, provider);
        assertThat(e.reason()).isEqualTo("hostname_mismatch");
        assertThat(e.getMessage()).contains("set serverName");
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
    void aCertificateFromAnUntrustedCaIsRefused(TlsConfig.Provider provider) throws Exception {
        TestPki.Ca other = TestPki.ca("other ca");
        TestPki.Files cert = other.issue("server").ip("127.0.0.1").write(dir);
        assertThat(clientRefuses(cert, TestPki.ca("the trusted ca"), provider).reason()).isEqualTo("unknown_ca");
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
    void aFingerprintThatDoesNotMatchIsRefused(TlsConfig.Provider provider) {
        try (FrameServer server = server(TlsConfig.selfSigned().toBuilder().provider(provider).build());
             Broker broker = broker(server, TlsConfig.pinned("0f".repeat(32)).toBuilder().provider(provider).build())) {
            TlsHandshakeException e = tlsFailure(broker);
            assertThat(e.reason()).isEqualTo("fingerprint_mismatch");
            assertThat(e.getMessage()).contains(server.tlsFingerprint().orElseThrow()).contains("0f".repeat(32));
            await().atMost(WAIT).until(() -> server.stats().tlsFailedTotal() == 1);
            assertThat(server.stats().tlsFailures().get("peer_alert")).as("the server hears the client's alert").isEqualTo(1);
        }
    }

    private void serverRefusesClient(TestPki.Files clientCert, String expected, TlsConfig.Provider provider) throws Exception {
        TestPki.Ca ca = TestPki.ca("ca");
        TestPki.Files serverCert = ca.issue("server").ip("127.0.0.1").write(dir);
        Path caFile = ca.write(dir, "ca.pem");
        EventLog log = new EventLog();
        try (EventBus bus = EventBus.create();
             FrameServer server = server(TlsConfig.verified(serverCert.chain(), serverCert.key()).toBuilder().caCertificates(caFile)
                     .provider(provider).build(), RequestHandler.echo(), bus)) {
            bus.subscribe(log);
            TlsConfig.Builder client = TlsConfig.builder().mode(TlsConfig.Mode.VERIFIED).caCertificates(caFile).provider(provider);
            if (clientCert != null) {
                client.certificateChain(clientCert.chain()).privateKey(clientCert.key());
            }
            try (Broker broker = broker(server, client.build())) {
                TlsHandshakeException e = tlsFailure(broker);
                assertThat(e.getMessage()).contains("127.0.0.1:" + server.localAddress().getPort());
            }
            await().atMost(WAIT).until(() -> server.stats().tlsFailures().get(expected) == 1);
            assertThat(server.stats().tlsHandshakes()).isZero();
            assertThat(server.stats().requests()).as("nothing was read from the refused client").isZero();
            await().atMost(WAIT).until(() -> log.of(TlsHandshakeFailed.class).size() == 1);
            TlsHandshakeFailed event = log.of(TlsHandshakeFailed.class).getFirst();
            assertThat(event.side()).isEqualTo(Side.SERVER);
            assertThat(event.reason()).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
    void underMtlsAClientWithoutACertificateIsRefused(TlsConfig.Provider provider) throws Exception {
        serverRefusesClient(null, "no_client_certificate", provider);
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
    void underMtlsABrokerWhoseCertificateIsFromAnotherCaIsRefused(TlsConfig.Provider provider) throws Exception {
        // The server names its CA in the CertificateRequest; a client holding only a certificate of
        // another CA therefore sends none (both engines' key managers do so).
        serverRefusesClient(TestPki.ca("rogue ca").issue("intruder").write(dir), "no_client_certificate", provider);
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
    void underMtlsAClientPresentingACertificateFromAnotherCaAnywayIsRefusedAsUnknownCa(TlsConfig.Provider provider) throws Exception {
        TestPki.Ca ca = TestPki.ca("ca");
        TestPki.Files serverCert = ca.issue("server").ip("127.0.0.1").write(dir);
        TestPki.Files intruder = TestPki.ca("rogue ca").issue("intruder").write(dir);
        try (FrameServer server = server(TlsConfig.verified(serverCert.chain(), serverCert.key()).toBuilder()
                .caCertificates(ca.write(dir, "ca.pem")).provider(provider).build());
             javax.net.ssl.SSLSocket socket = forcingClient(server, intruder)) {
            try {
                socket.startHandshake();
                socket.getOutputStream().write(dev.netkit.netty.testing.RawClient.frame(1, TlsTesting.bytes("x")));
                socket.getOutputStream().flush();
                assertThat(socket.getInputStream().read()).as("refused: end of stream, no answer").isEqualTo(-1);
            } catch (java.io.IOException expected) {
                // the alert may also surface as an exception, depending on timing
            }
            await().atMost(WAIT).until(() -> server.stats().tlsFailures().get("unknown_ca") == 1);
            assertThat(server.stats().requests()).isZero();
        }
    }

    /** A JDK client that presents {@code cert} whatever CA the server asks for. */
    private static javax.net.ssl.SSLSocket forcingClient(FrameServer server, TestPki.Files cert) throws Exception {
        java.security.PrivateKey key = dev.netkit.netty.internal.tls.PemFiles.privateKey("key", cert.key());
        java.security.cert.X509Certificate[] chain = dev.netkit.netty.internal.tls.PemFiles.certificates("chain", cert.chain())
                .toArray(java.security.cert.X509Certificate[]::new);
        javax.net.ssl.X509ExtendedKeyManager always = new javax.net.ssl.X509ExtendedKeyManager() {
            @Override public String[] getClientAliases(String keyType, java.security.Principal[] issuers) { return new String[] {"me"}; }
            @Override public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, java.net.Socket s) { return "me"; }
            @Override public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers, javax.net.ssl.SSLEngine e) { return "me"; }
            @Override public String[] getServerAliases(String keyType, java.security.Principal[] issuers) { return null; }
            @Override public String chooseServerAlias(String keyType, java.security.Principal[] issuers, java.net.Socket s) { return null; }
            @Override public java.security.cert.X509Certificate[] getCertificateChain(String alias) { return chain; }
            @Override public java.security.PrivateKey getPrivateKey(String alias) { return key; }
        };
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(new javax.net.ssl.KeyManager[] {always},
                io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) context.getSocketFactory().createSocket();
        socket.connect(server.localAddress(), 3_000);
        socket.setSoTimeout(5_000);
        socket.setEnabledProtocols(new String[] {"TLSv1.3"});
        return socket;
    }
}
