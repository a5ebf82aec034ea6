package dev.netkit.netty.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netkit.netty.client.BrokerConfig;
import dev.netkit.netty.server.FrameServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Validation at build, with messages naming the field. */
class TlsConfigTest {
    private static final Path CHAIN = Path.of("chain.pem");
    private static final Path KEY = Path.of("key.pem");

    @Test
    void defaultsArePlaintextTls13TenSecondsAnd1024Handshakes() {
        TlsConfig d = TlsConfig.none();
        assertThat(d.enabled()).isFalse();
        assertThat(d.minVersion()).isEqualTo(TlsConfig.Version.TLS_1_3);
        assertThat(d.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.maxHandshakes()).isEqualTo(1024);
        assertThat(d.provider()).isEqualTo(TlsConfig.Provider.AUTO);
        assertThat(d.reloadCheckInterval()).isZero();
        assertThat(FrameServerConfig.defaults().tls()).isEqualTo(d);
    }

    @Test
    void aPinIsNormalisedAndMustBe64HexDigits() {
        String colons = "AB:".repeat(31) + "AB";
        assertThat(TlsConfig.pinned(colons).pinnedSha256()).isEqualTo("ab".repeat(32));
        assertThatThrownBy(() -> TlsConfig.pinned("abc")).hasMessage(
                "tls.pinnedSha256: 'abc' (expected: the certificate's SHA-256 fingerprint, 64 hex digits, colons allowed)");
    }

    @Test
    void combinationsThatAreWrongInEveryRoleAreRefusedAtBuild() {
        assertThatThrownBy(() -> TlsConfig.builder().mode(TlsConfig.Mode.VERIFIED).certificateChain(CHAIN).build())
                .hasMessage("tls: certificateChain chain.pem is set but privateKey is not (expected: both or neither)");
        assertThatThrownBy(() -> TlsConfig.builder().caCertificates(CHAIN).build())
                .hasMessage("tls.caCertificates is set but mode is NONE (expected: mode SELF_SIGNED or VERIFIED)");
        assertThatThrownBy(() -> TlsConfig.builder().mode(TlsConfig.Mode.VERIFIED).insecure(true).build())
                .hasMessage("tls.insecure is set but mode is VERIFIED (expected: mode SELF_SIGNED)");
        assertThatThrownBy(() -> TlsConfig.builder().mode(TlsConfig.Mode.SELF_SIGNED).insecure(true).pinnedSha256("ab".repeat(32)).build())
                .hasMessageStartingWith("tls: both insecure and pinnedSha256");
        assertThatThrownBy(() -> TlsConfig.builder().handshakeTimeout(Duration.ZERO).build()).hasMessageContaining("tls.handshakeTimeout");
        assertThatThrownBy(() -> TlsConfig.builder().maxHandshakes(0).build()).hasMessageContaining("tls.maxHandshakes");
        assertThatThrownBy(() -> new TlsConfig.SniCertificate("*.*.example.com", CHAIN, KEY))
                .hasMessageStartingWith("tls.sniCertificates.serverName: '*.*.example.com'");
        assertThatThrownBy(() -> TlsConfig.verified(CHAIN, KEY).toBuilder().sniCertificate("a.test", CHAIN, KEY)
                .sniCertificate("A.test", CHAIN, KEY).build()).hasMessage("tls.sniCertificates: 'a.test' is listed twice");
    }

    @Test
    void roleChecksRunWhenTheServerOrBrokerConfigIsBuilt() {
        assertThatThrownBy(() -> FrameServerConfig.builder().tls(TlsConfig.builder().mode(TlsConfig.Mode.VERIFIED).build()).build())
                .hasMessageStartingWith("tls.certificateChain: not set (expected: a server in mode VERIFIED needs");
        assertThatThrownBy(() -> FrameServerConfig.builder().tls(TlsConfig.pinned("ab".repeat(32))).build())
                .hasMessage("tls.pinnedSha256 is a client setting (expected: unset on a server)");
        assertThatThrownBy(() -> FrameServerConfig.builder().tls(TlsConfig.selfSigned().toBuilder().certificateChain(CHAIN).privateKey(KEY).build()).build())
                .hasMessageContaining("is set but mode is SELF_SIGNED");
        assertThatThrownBy(() -> BrokerConfig.builder().endpoints("127.0.0.1:1").tls(TlsConfig.selfSigned()).build())
                .hasMessageStartingWith("tls.pinnedSha256: not set (expected: a client in mode SELF_SIGNED pins");
        assertThatThrownBy(() -> BrokerConfig.builder().endpoints("127.0.0.1:1")
                .tls(TlsConfig.verified(CHAIN, KEY).toBuilder().sniCertificate("a.test", CHAIN, KEY).build()).build())
                .hasMessage("tls.sniCertificates is a server setting (expected: unset on a client)");
    }
}
