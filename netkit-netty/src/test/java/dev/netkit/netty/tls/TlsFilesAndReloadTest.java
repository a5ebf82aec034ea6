package dev.netkit.netty.tls;

import static dev.netkit.netty.tls.TlsTesting.WAIT;
import static dev.netkit.netty.tls.TlsTesting.assertEchoes;
import static dev.netkit.netty.tls.TlsTesting.broker;
import static dev.netkit.netty.tls.TlsTesting.server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.event.EventBus;
import dev.netkit.core.event.Side;
import dev.netkit.core.event.TlsHandshakeCompleted;
import dev.netkit.netty.client.Broker;
import dev.netkit.netty.client.BrokerHooks;
import dev.netkit.netty.internal.tls.Fingerprints;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.testing.EventLog;
import dev.netkit.netty.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Broken files at start, reloads (explicit, broken, by file change) keeping connections open. */
class TlsFilesAndReloadTest {
    @TempDir
    Path dir;

    private TlsConfig verified(TestPki.Files cert, TlsConfig.Provider provider) {
        return TlsConfig.verified(cert.chain(), cert.key()).toBuilder().provider(provider).build();
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
    void aKeyThatDoesNotMatchItsCertificateFailsTheStartNamingTheFile(TlsConfig.Provider provider) throws Exception {
        TestPki.Ca ca = TestPki.ca("ca");
        TestPki.Files a = ca.issue("a").write(dir);
        TestPki.Files b = ca.issue("b").write(dir);
        assertThatThrownBy(() -> server(TlsConfig.verified(a.chain(), b.key()).toBuilder().provider(provider).build()))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageContaining("tls.privateKey " + b.key())
                .hasMessageContaining("does not match the certificate CN=a")
                .satisfies(e -> assertThat(((TlsSetupException) e).file()).isEqualTo(b.key()));
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
    void anUnreadableOrMalformedFileFailsTheStartNamingIt(TlsConfig.Provider provider) throws Exception {
        TestPki.Files good = TestPki.ca("ca").issue("a").write(dir);
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> server(TlsConfig.verified(missing, good.key()).toBuilder().provider(provider).build()))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageContaining("tls.certificateChain " + missing + ": cannot read it (NoSuchFileException");
        Path garbled = Files.writeString(dir.resolve("garbled.pem"), "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> server(TlsConfig.verified(garbled, good.key()).toBuilder().provider(provider).build()))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageStartingWith("tls.certificateChain " + garbled + ": malformed PEM");
        Path noKey = Files.writeString(dir.resolve("nokey.pem"), "just text\n");
        assertThatThrownBy(() -> server(TlsConfig.verified(good.chain(), noKey).toBuilder().provider(provider).build()))
                .isInstanceOf(TlsSetupException.class)
                .hasMessage("tls.privateKey " + noKey + ": no private key in it (expected: a PEM block 'BEGIN PRIVATE KEY')");
        Path badCa = Files.writeString(dir.resolve("ca.pem"), "");
        assertThatThrownBy(() -> server(TlsConfig.verified(good.chain(), good.key()).toBuilder().caCertificates(badCa).provider(provider).build()))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageContaining("tls.caCertificates " + badCa + ": no certificate in it");
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
    void aBrokenReloadKeepsTheOldSetAndNewConnectionsStillWork(TlsConfig.Provider provider) throws Exception {
        TestPki.Ca ca = TestPki.ca("ca");
        TestPki.Files cert = ca.issue("server").ip("127.0.0.1").write(dir);
        Path caFile = ca.write(dir, "ca.pem");
        TlsConfig client = TlsConfig.builder().mode(TlsConfig.Mode.VERIFIED).caCertificates(caFile).provider(provider).build();
        try (FrameServer server = server(verified(cert, provider))) {
            String before = server.tlsFingerprint().orElseThrow();
            Files.writeString(cert.key(), "-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n");
            assertThatThrownBy(server::reloadTls).isInstanceOf(TlsSetupException.class)
                    .hasMessageContaining("tls.privateKey " + cert.key());
            TestPki.Files other = ca.issue("other").ip("127.0.0.1").write(dir);
            Files.copy(other.key(), cert.key(), StandardCopyOption.REPLACE_EXISTING); // a key of another certificate
            assertThatThrownBy(server::reloadTls).isInstanceOf(TlsSetupException.class).hasMessageContaining("does not match");
            assertThat(server.stats().tlsReloadFailures()).isEqualTo(2);
            assertThat(server.stats().tlsReloads()).isZero();
            assertThat(server.tlsFingerprint()).hasValue(before);
            try (Broker broker = broker(server, client)) {
                assertEchoes(broker, "old set still served");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
    void aGoodReloadServesNewConnectionsTheNewCertificateWhileAnOpenOneKeepsWorking(TlsConfig.Provider provider) throws Exception {
        TestPki.Ca ca = TestPki.ca("ca");
        TestPki.Files cert = ca.issue("first").ip("127.0.0.1").write(dir);
        Path caFile = ca.write(dir, "ca.pem");
        TlsConfig client = TlsConfig.builder().mode(TlsConfig.Mode.VERIFIED).caCertificates(caFile).provider(provider).build();
        EventLog log = new EventLog();
        try (EventBus bus = EventBus.create(); FrameServer server = server(verified(cert, provider))) {
            bus.subscribe(log);
            try (Broker old = Broker.create(TlsTesting.brokerConfig(server.localAddress(), client).build(), BrokerHooks.builder().events(bus).build())) {
                assertEchoes(old, "before");
                TestPki.Files second = ca.issue("second").ip("127.0.0.1").write(dir);
                Files.copy(second.chain(), cert.chain(), StandardCopyOption.REPLACE_EXISTING);
                Files.copy(second.key(), cert.key(), StandardCopyOption.REPLACE_EXISTING);
                server.reloadTls();
                assertThat(server.tlsFingerprint()).hasValue(Fingerprints.sha256(second.certificate()));
                assertThat(server.stats().tlsReloads()).isEqualTo(1);
                try (Broker fresh = Broker.create(TlsTesting.brokerConfig(server.localAddress(), client).build(), BrokerHooks.builder().events(bus).build())) {
                    assertEchoes(fresh, "new connection");
                }
                assertEchoes(old, "the old connection is still open");
                assertThat(old.stats().connectionsOpened()).as("no reconnect").isEqualTo(1);
                await().atMost(WAIT).until(() -> log.of(TlsHandshakeCompleted.class).size() == 2);
                assertThat(log.of(TlsHandshakeCompleted.class).stream().filter(e -> e.side() == Side.CLIENT).map(TlsHandshakeCompleted::peerSubject))
                        .containsExactly("CN=first", "CN=second");
            }
            assertThat(server.stats().tlsHandshakes()).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
    void changedFilesAreReloadedWhenWatched(TlsConfig.Provider provider) throws Exception {
        TestPki.Ca ca = TestPki.ca("ca");
        TestPki.Files cert = ca.issue("first").ip("127.0.0.1").write(dir);
        TlsConfig tls = verified(cert, provider).toBuilder().reloadCheckInterval(Duration.ofMillis(50)).build();
        try (FrameServer server = server(tls)) {
            TestPki.Files second = ca.issue("second").ip("127.0.0.1").write(dir);
            // Rotate by rename, as tools do: the key first leaves a mismatched pair for a moment.
            Files.move(second.key(), cert.key(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            await().atMost(WAIT).until(() -> server.stats().tlsReloadFailures() >= 1);
            Files.move(second.chain(), cert.chain(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            await().atMost(WAIT).until(() -> server.tlsFingerprint().orElseThrow().equals(Fingerprints.sha256(second.certificate())));
            assertThat(server.stats().tlsReloads()).isEqualTo(1);
            try (Broker broker = broker(server, TlsConfig.builder().mode(TlsConfig.Mode.VERIFIED)
                    .caCertificates(ca.write(dir, "ca.pem")).provider(provider).build())) {
                assertEchoes(broker, "rotated");
            }
        }
    }
}
