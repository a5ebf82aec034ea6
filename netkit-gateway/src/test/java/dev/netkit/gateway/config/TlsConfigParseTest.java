package dev.netkit.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.netkit.netty.tls.TlsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code tls:} sections of listeners (server side) and clusters (client side): keys, values,
 * file names relative to the configuration file, and the library's checks in the file's words.
 * The files' content is checked when a listener or cluster starts, not here.
 */
class TlsConfigParseTest {
    @TempDir
    Path dir;

    private static final String PIN = "ab".repeat(32);

    @BeforeEach
    void pemFiles() throws Exception {
        for (String f : new String[] {"chain.pem", "key.pem", "ca.pem", "api.pem", "api-key.pem"}) {
            Files.writeString(dir.resolve(f), "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
        }
    }

    private String yaml(String listenerTls, String clusterTls) {
        return """
                listeners:
                  - name: front
                    bind: 127.0.0.1:7100
                    protocol: anet
                    cluster: up
                    tls: %s
                  - name: l4
                    bind: 127.0.0.1:7200
                    protocol: tcp
                    cluster: up
                clusters:
                  - name: up
                    endpoints: [ "127.0.0.1:7001" ]
                    tls: %s
                """.formatted(listenerTls, clusterTls);
    }

    private GatewayConfig load(String yaml) throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, yaml);
        return GatewayConfig.load(file);
    }

    private ConfigException fail(String yaml) throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, yaml);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> GatewayConfig.load(file));
        assertThat(e).as("a ConfigException for:\n" + yaml).isNotNull();
        assertThat(e.getMessage()).doesNotContain("\n").startsWith(file + ":");
        return e;
    }

    @Test
    void everyKeyIsReadAndRelativeFilesAreTakenFromTheConfigFilesFolder() throws Exception {
        GatewayConfig config = load(yaml("""
                { mode: verified, certificate_chain: chain.pem, private_key: key.pem, ca_certificates: ca.pem,
                        min_version: 1.2, handshake_timeout: 3s, max_handshakes: 64, provider: jdk, reload_check_interval: 5s,
                        sni_certificates: [ { server_name: "*.api.example.com", certificate_chain: api.pem, private_key: api-key.pem } ] }""",
                "{ mode: self-signed, pinned_sha256: \"" + PIN + "\", server_name: backend.internal }"));
        TlsConfig server = config.listener("front").orElseThrow().tls();
        assertThat(server.mode()).isEqualTo(TlsConfig.Mode.VERIFIED);
        assertThat(server.certificateChain()).isEqualTo(dir.resolve("chain.pem"));
        assertThat(server.privateKey()).isEqualTo(dir.resolve("key.pem"));
        assertThat(server.caCertificates()).as("a listener's CA: client certificates required").isEqualTo(dir.resolve("ca.pem"));
        assertThat(server.minVersion()).isEqualTo(TlsConfig.Version.TLS_1_2);
        assertThat(server.handshakeTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(server.maxHandshakes()).isEqualTo(64);
        assertThat(server.provider()).isEqualTo(TlsConfig.Provider.JDK);
        assertThat(server.reloadCheckInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(server.sniCertificates()).containsExactly(
                new TlsConfig.SniCertificate("*.api.example.com", dir.resolve("api.pem"), dir.resolve("api-key.pem")));
        assertThat(config.listener("l4").orElseThrow().tls()).isEqualTo(TlsConfig.none());

        TlsConfig client = config.cluster("up").orElseThrow().tls();
        assertThat(client.mode()).isEqualTo(TlsConfig.Mode.SELF_SIGNED);
        assertThat(client.pinnedSha256()).isEqualTo(PIN);
        assertThat(client.serverName()).isEqualTo("backend.internal");
        assertThat(config.cluster("up").orElseThrow().brokerConfig().tls()).isEqualTo(client);
    }

    @Test
    void theEffectiveConfigPrintsTlsAndParsesBackToAnEqualConfig() throws Exception {
        GatewayConfig config = load(yaml("{ mode: verified, certificate_chain: chain.pem, private_key: key.pem }",
                "{ mode: verified, ca_certificates: ca.pem }"));
        String printed = config.toYaml();
        assertThat(printed).contains("mode: verified").contains(dir.resolve("chain.pem").toString()).contains("mode: none");
        assertThat(new GatewayConfigParser().parse(printed, "printed.yaml")).isEqualTo(config);
    }

    @Test
    void aMissingFileIsNamedAtItsKey() throws Exception {
        ConfigException e = fail(yaml("{ mode: verified, certificate_chain: nope.pem, private_key: key.pem }", "{}"));
        assertThat(e.path()).isEqualTo("listeners[0].tls.certificate_chain");
        assertThat(e.problem()).isEqualTo("cannot read " + dir.resolve("nope.pem") + ": no such file");
    }

    @Test
    void aServerInVerifiedModeNeedsItsCertificate() throws Exception {
        ConfigException e = fail(yaml("{ mode: verified }", "{}"));
        assertThat(e.path()).isEqualTo("listeners[0].tls");
        assertThat(e.problem()).startsWith("certificate_chain: not set (expected: a server in mode verified needs certificate_chain and private_key)");
    }

    @Test
    void aSelfSignedClientMustPinOrSayInsecure() throws Exception {
        ConfigException e = fail(yaml("{}", "{ mode: self-signed }"));
        assertThat(e.path()).isEqualTo("clusters[0].tls");
        assertThat(e.problem()).contains("pinned_sha256: not set").contains("mode self-signed").contains("insecure");
        GatewayConfig insecure = load(yaml("{}", "{ mode: self-signed, insecure: true }"));
        assertThat(insecure.cluster("up").orElseThrow().tls().insecure()).isTrue();
    }

    @Test
    void clientSettingsOnAListenerAndServerSettingsOnAClusterAreRefused() throws Exception {
        ConfigException onListener = fail(yaml("{ mode: self-signed, pinned_sha256: \"" + PIN + "\" }", "{}"));
        assertThat(onListener.path()).isEqualTo("listeners[0].tls");
        assertThat(onListener.problem()).isEqualTo("pinned_sha256 is a client setting (expected: unset on a server)");
        ConfigException onCluster = fail(yaml("{}", """
                { mode: verified, sni_certificates: [ { server_name: a.example.com, certificate_chain: api.pem, private_key: api-key.pem } ] }"""));
        assertThat(onCluster.path()).isEqualTo("clusters[0].tls");
        assertThat(onCluster.problem()).startsWith("sni_certificates is a server setting");
    }

    @Test
    void badValuesAndTyposNameTheKeyAndWhatIsAllowed() throws Exception {
        ConfigException mode = fail(yaml("{ mode: selfsigned }", "{}"));
        assertThat(mode.path()).isEqualTo("listeners[0].tls.mode");
        assertThat(mode.problem()).isEqualTo("unknown value \"selfsigned\"; allowed: none, self-signed, verified");
        ConfigException version = fail(yaml("{ mode: self-signed, min_version: 1.1 }", "{}"));
        assertThat(version.problem()).isEqualTo("unknown value \"1.1\"; allowed: 1.2, 1.3");
        ConfigException typo = fail(yaml("{ mode: verified, certificate_chian: chain.pem }", "{}"));
        assertThat(typo.path()).isEqualTo("listeners[0].tls.certificate_chian");
        assertThat(typo.problem()).isEqualTo("unknown key; did you mean \"certificate_chain\"?");
        ConfigException pin = fail(yaml("{}", "{ mode: self-signed, pinned_sha256: \"abc\" }"));
        assertThat(pin.problem()).startsWith("pinned_sha256: 'abc' (expected: the certificate's SHA-256 fingerprint, 64 hex digits");
        ConfigException none = fail(yaml("{ mode: none, certificate_chain: chain.pem, private_key: key.pem }", "{}"));
        assertThat(none.problem()).isEqualTo("certificate_chain is set but mode is none (expected: mode self-signed or verified)");
    }
}
