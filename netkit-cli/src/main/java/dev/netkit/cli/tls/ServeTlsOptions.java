package dev.netkit.cli.tls;

import dev.netkit.netty.tls.TlsConfig;
import dev.netkit.netty.tls.TlsConfig.Mode;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The TLS options of {@code netkit serve} (a contract: other tooling uses them):
 * {@code --tls self-signed}, or {@code --tls-cert F --tls-key F [--tls-ca F]} (a CA makes
 * client certificates required), plus the version, provider, handshake and reload settings.
 */
public final class ServeTlsOptions {
    @Option(names = "--tls", paramLabel = "MODE", converter = TlsModes.class,
            description = "none, self-signed (a key and certificate made at start; its SHA-256 fingerprint is printed as "
                    + "'tls self-signed sha256 HEX') or verified (with --tls-cert and --tls-key). Default: verified when "
                    + "--tls-cert is given, else none.")
    Mode mode;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "The server's certificate chain, PEM, leaf first.")
    Path cert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "Its private key, PEM (PKCS#8, PKCS#1 or SEC1), unencrypted.")
    Path key;

    @Option(names = "--tls-ca", paramLabel = "FILE",
            description = "CA certificates, PEM: clients must present a certificate signed by one of them (mTLS).")
    Path ca;

    @Option(names = "--tls-min-version", paramLabel = "V", converter = TlsVersions.class,
            description = "Oldest TLS version accepted: 1.3 (default) or 1.2.")
    TlsConfig.Version minVersion;

    @Option(names = "--tls-provider", paramLabel = "P", defaultValue = "auto",
            description = "auto (OpenSSL when its native library loads, else the JDK's), openssl or jdk (default: ${DEFAULT-VALUE}).")
    TlsConfig.Provider provider;

    @Option(names = "--tls-handshake-timeout", paramLabel = "D", defaultValue = "10s",
            description = "Close a connection whose handshake takes longer (default: ${DEFAULT-VALUE}).")
    Duration handshakeTimeout;

    @Option(names = "--tls-reload-interval", paramLabel = "D", defaultValue = "0s",
            description = "Check the certificate, key and CA files this often and use new ones for new handshakes; 0 = never "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration reloadInterval;

    /**
     * The configuration these options describe.
     *
     * @throws IllegalArgumentException naming the option, for a combination that makes no sense
     */
    public TlsConfig config() {
        Mode m = mode != null ? mode : cert != null || key != null ? Mode.VERIFIED : Mode.NONE;
        if (m == Mode.NONE) {
            String stray = cert != null ? "--tls-cert" : key != null ? "--tls-key" : ca != null ? "--tls-ca" : null;
            if (stray != null) {
                throw new IllegalArgumentException(stray + " needs TLS on (--tls verified, or leave --tls out)");
            }
            return TlsConfig.none();
        }
        if (m == Mode.SELF_SIGNED && (cert != null || key != null)) {
            throw new IllegalArgumentException((cert != null ? "--tls-cert" : "--tls-key")
                    + " cannot be used with --tls self-signed (the server makes its own certificate; use --tls verified)");
        }
        if (m == Mode.VERIFIED && (cert == null || key == null)) {
            throw new IllegalArgumentException((cert == null ? "--tls-cert" : "--tls-key") + " is missing (--tls verified needs"
                    + " --tls-cert and --tls-key)");
        }
        TlsConfig.Builder b = TlsConfig.builder().mode(m).certificateChain(cert).privateKey(key).caCertificates(ca)
                .provider(provider).handshakeTimeout(handshakeTimeout).reloadCheckInterval(reloadInterval);
        if (minVersion != null) {
            b.minVersion(minVersion);
        }
        return TlsOptionWords.build(() -> b.build().checkServer());
    }
}
