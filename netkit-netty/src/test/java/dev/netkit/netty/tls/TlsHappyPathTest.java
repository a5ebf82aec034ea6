package dev.netkit.netty.tls;

import static dev.netkit.netty.tls.TlsTesting.WAIT;
import static dev.netkit.netty.tls.TlsTesting.assertEchoes;
import static dev.netkit.netty.tls.TlsTesting.broker;
import static dev.netkit.netty.tls.TlsTesting.brokerConfig;
import static dev.netkit.netty.tls.TlsTesting.bytes;
import static dev.netkit.netty.tls.TlsTesting.rawTls;
import static dev.netkit.netty.tls.TlsTesting.server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.event.EventBus;
import dev.netkit.core.event.Side;
import dev.netkit.core.event.TlsHandshakeCompleted;
import dev.netkit.core.event.TlsHandshakeFailed;
import dev.netkit.netty.client.Broker;
import dev.netkit.netty.health.AnetProbeChecker;
import dev.netkit.netty.server.ConnectionInfo;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.testing.EventLog;
import dev.netkit.netty.testing.TestPki;
import dev.netkit.core.endpoint.Endpoint;
import io.netty.buffer.Unpooled;
import io.netty.handler.ssl.OpenSsl;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** TLS that works: every mode, mTLS identity, SNI, versions, the probe; each over both providers. */
class TlsHappyPathTest {
    @TempDir
    Path dir;

    @Test
    void openSslLoadsHereSoBothProvidersAreReallyTested() {
        assertThat(OpenSsl.isAvailable()).as("netty-tcnative: %s", OpenSsl.unavailabilityCause()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
    void aSelfSignedServerIsReachedByAClientPinningItsFingerprint(TlsConfig.Provider provider) {
        try (FrameServer server = server(TlsConfig.selfSigned().toBuilder().provider(provider).build())) {
            String fingerprint = server.tlsFingerprint().orElseThrow();
            assertThat(fingerprint).matches("[0-9a-f]{64}");
            try (Broker broker = broker(server, TlsConfig.pinned(fingerprint).toBuilder().provider(provider).build())) {
                assertEchoes(broker, "hello over tls");
            }
            assertThat(server.stats().tlsHandshakes()).isEqualTo(1);
            assertThat(server.stats().tlsFailedTotal()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
    void anInsecureClientAcceptsAnyCertificate(TlsConfig.Provider provider) {
        try (FrameServer server = server(TlsConfig.selfSigned().toBuilder().provider(provider).build());
             Broker broker = broker(server, TlsConfig.builder().mode(TlsConfig.Mode.SELF_SIGNED).insecure(true).provider(provider).build())) {
            assertEchoes(broker, "unauthenticated but encrypted");
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
    void aVerifiedServerIsCheckedAgainstTheCaAndTheHostName(TlsConfig.Provider provider) throws Exception {
        TestPki.Ca ca = TestPki.ca("test ca");
        TestPki.Files cert = ca.issue("server").dns("localhost").ip("127.0.0.1").write(dir);
        Path caFile = ca.write(dir, "ca.pem");
        try (FrameServer server = server(TlsConfig.verified(cert.chain(), cert.key()).toBuilder().provider(provider).build());
             Broker broker = broker(server, TlsConfig.builder().mode(TlsConfig.Mode.VERIFIED).caCertificates(caFile).provider(provider).build())) {
            assertEchoes(broker, "verified");
            assertThat(server.tlsFingerprint()).hasValue(dev.netkit.netty.internal.tls.Fingerprints.sha256(cert.certificate()));
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
    void anExplicitServerNameIsVerifiedInsteadOfTheEndpointHost(TlsConfig.Provider provider) throws Exception {
        TestPki.Ca ca = TestPki.ca("test ca");
        TestPki.Files cert = ca.issue("api").dns("api.internal.test").write(dir); // no IP name: 127.0.0.1 alone would fail
        Path caFile = ca.write(dir, "ca.pem");
        try (FrameServer server = server(TlsConfig.verified(cert.chain(), cert.key()).toBuilder().provider(provider).build());
             Broker broker = broker(server, TlsConfig.builder().mode(TlsConfig.Mode.VERIFIED).caCertificates(caFile)
                     .serverName("api.internal.test").provider(provider).build())) {
            assertEchoes(broker, "by name");
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
    void underMtlsTheHandlerAndTheEventsSeeTheVerifiedClientIdentity(TlsConfig.Provider provider) throws Exception {
        TestPki.Ca ca = TestPki.ca("test ca");
        TestPki.Files serverCert = ca.issue("server").ip("127.0.0.1").write(dir);
        TestPki.Files clientCert = ca.issue("client-a").dns("client-a.test").uri("spiffe://test/client-a").write(dir);
        Path caFile = ca.write(dir, "ca.pem");
        RequestHandler whoAmI = (request, alloc) -> {
            ConnectionInfo info = ConnectionInfo.current();
            String who = info.tlsProtocol() + " " + info.peerIdentity().map(p -> p.subject() + " " + p.subjectAlternativeNames()).orElse("anonymous");
            return Unpooled.copiedBuffer(who, StandardCharsets.US_ASCII);
        };
        EventLog log = new EventLog();
        try (EventBus bus = EventBus.create()) {
            bus.subscribe(log);
            try (FrameServer server = server(TlsConfig.verified(serverCert.chain(), serverCert.key()).toBuilder()
                         .caCertificates(caFile).provider(provider).build(), whoAmI, bus);
                 Broker broker = Broker.create(brokerConfig(server.localAddress(), TlsConfig.builder().mode(TlsConfig.Mode.VERIFIED)
                         .caCertificates(caFile).certificateChain(clientCert.chain()).privateKey(clientCert.key()).provider(provider).build())
                         .build(), dev.netkit.netty.client.BrokerHooks.builder().events(bus).build())) {
                String answer = new String(broker.call(bytes("who am i")), StandardCharsets.US_ASCII);
                assertThat(answer).isEqualTo("TLSv1.3 CN=client-a [DNS:client-a.test, URI:spiffe://test/client-a]");
                await().atMost(WAIT).until(() -> log.of(TlsHandshakeCompleted.class).size() == 2);
                TlsHandshakeCompleted onServer = log.of(TlsHandshakeCompleted.class).stream().filter(e -> e.side() == Side.SERVER).findFirst().orElseThrow();
                assertThat(onServer.peerSubject()).isEqualTo("CN=client-a");
                assertThat(onServer.peerSans()).containsExactly("DNS:client-a.test", "URI:spiffe://test/client-a");
                assertThat(onServer.protocol()).isEqualTo("TLSv1.3");
                TlsHandshakeCompleted onClient = log.of(TlsHandshakeCompleted.class).stream().filter(e -> e.side() == Side.CLIENT).findFirst().orElseThrow();
                assertThat(onClient.peerSubject()).isEqualTo("CN=server");
                assertThat(onClient.endpoint().port()).isEqualTo(server.localAddress().getPort());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
    void sniSelectsTheCertificateByExactNameThenWildcardElseTheDefault(TlsConfig.Provider provider) throws Exception {
        TestPki.Ca ca = TestPki.ca("test ca");
        TestPki.Files main = ca.issue("default").dns("localhost").write(dir);
        TestPki.Files wildcard = ca.issue("wildcard").dns("*.example.com").write(dir);
        TestPki.Files exact = ca.issue("exact").dns("api.example.com").write(dir);
        TlsConfig tls = TlsConfig.verified(main.chain(), main.key()).toBuilder().provider(provider)
                .sniCertificate("*.example.com", wildcard.chain(), wildcard.key())
                .sniCertificate("api.example.com", exact.chain(), exact.key()).build();
        try (FrameServer server = server(tls)) {
            assertThat(presented(server, "api.example.com")).isEqualTo("CN=exact");
            assertThat(presented(server, "www.example.com")).isEqualTo("CN=wildcard");
            assertThat(presented(server, "WWW.Example.COM")).as("names are case-insensitive").isEqualTo("CN=wildcard");
            assertThat(presented(server, "a.b.example.com")).as("a wildcard covers one label").isEqualTo("CN=default");
            assertThat(presented(server, "other.test")).isEqualTo("CN=default");
            assertThat(presented(server, null)).as("no SNI").isEqualTo("CN=default");
        }
    }

    private static String presented(FrameServer server, String sni) throws Exception {
        try (SSLSocket socket = rawTls(server.localAddress(), sni)) {
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
    void tls12IsServedWhenAllowedAndRefusedByDefault(TlsConfig.Provider provider) throws Exception {
        TlsConfig allowing = TlsConfig.selfSigned().toBuilder().provider(provider).minVersion(TlsConfig.Version.TLS_1_2).build();
        try (FrameServer server = server(allowing); SSLSocket socket = rawTls(server.localAddress(), null, "TLSv1.2")) {
            socket.startHandshake();
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.2");
        }
        EventLog log = new EventLog();
        try (EventBus bus = EventBus.create()) {
            bus.subscribe(log);
            try (FrameServer server = server(TlsConfig.selfSigned().toBuilder().provider(provider).build(), RequestHandler.echo(), bus);
                 SSLSocket socket = rawTls(server.localAddress(), null, "TLSv1.2")) {
                assertThatThrownBy(socket::startHandshake).isInstanceOf(SSLHandshakeException.class);
                await().atMost(WAIT).until(() -> server.stats().tlsFailures().get("protocol_version") == 1);
                await().atMost(WAIT).until(() -> log.of(TlsHandshakeFailed.class).size() == 1);
                assertThat(log.of(TlsHandshakeFailed.class).getFirst().reason()).isEqualTo("protocol_version");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
    void theProbeChecksOverTlsAndNamesATlsFailure(TlsConfig.Provider provider) throws Exception {
        try (FrameServer server = server(TlsConfig.selfSigned().toBuilder().provider(provider).build())) {
            Endpoint endpoint = new Endpoint("127.0.0.1", server.localAddress().getPort());
            try (AnetProbeChecker good = AnetProbeChecker.builder(bytes("ping"))
                    .tls(TlsConfig.pinned(server.tlsFingerprint().orElseThrow()).toBuilder().provider(provider).build()).build()) {
                good.check(endpoint, Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            try (AnetProbeChecker wrong = AnetProbeChecker.builder(bytes("ping"))
                    .tls(TlsConfig.pinned("ab".repeat(32)).toBuilder().provider(provider).build()).build()) {
                assertThatThrownBy(() -> wrong.check(endpoint, Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS))
                        .cause().isInstanceOf(dev.netkit.core.health.HealthCheckException.class)
                        .hasMessageContaining("TLS handshake with " + endpoint + " failed: fingerprint_mismatch")
                        .satisfies(e -> assertThat(((dev.netkit.core.health.HealthCheckException) e).kind())
                                .isEqualTo(dev.netkit.core.health.HealthCheckException.Kind.CONNECT_FAILED));
            }
        }
    }
}
