package dev.netkit.cli.tls;

import dev.netkit.netty.tls.TlsConfig;
import dev.netkit.netty.tls.TlsConfig.Mode;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The TLS options of {@code netkit load} (a contract: other tooling uses them):
 * {@code --tls [--tls-pin HEX | --tls-ca F | --tls-insecure] [--tls-cert F --tls-key F]}.
 * {@code --tls} alone verifies the server against the system trust store and its host name;
 * {@code --tls-pin} trusts exactly one self-signed certificate; {@code --tls-insecure} trusts any.
 */
public final class LoadTlsOptions {
    @Option(names = "--tls", description = "Talk TLS to the targets (verified against the system trust store unless "
            + "--tls-ca, --tls-pin or --tls-insecure says otherwise).")
    boolean tls;

    @Option(names = "--tls-pin", paramLabel = "HEX",
            description = "Trust only the server certificate with this SHA-256 fingerprint (64 hex digits; what "
                    + "'serve --tls self-signed' prints).")
    String pin;

    @Option(names = "--tls-ca", paramLabel = "FILE", description = "Verify the server against these CA certificates (PEM).")
    Path ca;

    @Option(names = "--tls-insecure", description = "Accept any server certificate: encryption without authentication "
            + "(logged as a warning). For tests only.")
    boolean insecure;

    @Option(names = "--tls-server-name", paramLabel = "NAME",
            description = "The name to ask for (SNI) and verify, instead of the target's host.")
    String serverName;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "A client certificate chain to present (mTLS), PEM.")
    Path cert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "Its private key, PEM.")
    Path key;

    @Option(names = "--tls-min-version", paramLabel = "V", converter = TlsVersions.class,
            description = "Oldest TLS version offered: 1.3 (default) or 1.2.")
    TlsConfig.Version minVersion;

    @Option(names = "--tls-provider", paramLabel = "P", defaultValue = "auto",
            description = "auto (OpenSSL when its native library loads, else the JDK's), openssl or jdk (default: ${DEFAULT-VALUE}).")
    TlsConfig.Provider provider;

    /**
     * The configuration these options describe.
     *
     * @throws IllegalArgumentException naming the option, for a combination that makes no sense
     */
    public TlsConfig config() {
        String needsTls = pin != null ? "--tls-pin" : ca != null ? "--tls-ca" : insecure ? "--tls-insecure"
                : cert != null ? "--tls-cert" : key != null ? "--tls-key" : serverName != null ? "--tls-server-name" : null;
        if (!tls) {
            if (needsTls != null) {
                throw new IllegalArgumentException(needsTls + " needs --tls");
            }
            return TlsConfig.none();
        }
        int trusts = (pin != null ? 1 : 0) + (ca != null ? 1 : 0) + (insecure ? 1 : 0);
        if (trusts > 1) {
            throw new IllegalArgumentException("--tls-pin, --tls-ca and --tls-insecure exclude each other (give at most one)");
        }
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException((cert == null ? "--tls-cert" : "--tls-key") + " is missing (a client certificate"
                    + " needs --tls-cert and --tls-key)");
        }
        Mode mode = pin != null || insecure ? Mode.SELF_SIGNED : Mode.VERIFIED;
        TlsConfig.Builder b = TlsConfig.builder().mode(mode).pinnedSha256(pin).insecure(insecure).caCertificates(ca)
                .serverName(serverName).certificateChain(cert).privateKey(key).provider(provider);
        if (minVersion != null) {
            b.minVersion(minVersion);
        }
        return TlsOptionWords.build(() -> b.build().checkClient());
    }
}
