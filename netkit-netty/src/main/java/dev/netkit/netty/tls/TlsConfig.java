package dev.netkit.netty.tls;

import static dev.netkit.core.internal.Checks.notNegative;
import static dev.netkit.core.internal.Checks.positive;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * TLS settings of one side of a connection: a {@link dev.netkit.netty.server.FrameServer}'s
 * listening socket, a {@link dev.netkit.netty.client.Broker}'s connections (every endpoint), or an
 * {@link dev.netkit.netty.health.AnetProbeChecker}'s probes. One type for every role; the fields
 * that do not apply to a role are rejected when the role's configuration is built
 * ({@link #checkServer()}, {@link #checkClient()}).
 *
 * <p><b>Modes.</b>
 * <ul>
 * <li>{@link Mode#NONE} (default): plaintext.
 * <li>{@link Mode#SELF_SIGNED}: a server makes a key and a certificate in memory when it starts and
 *     logs the certificate's SHA-256 fingerprint (also {@code FrameServer.tlsFingerprint()}); a
 *     client must pin that fingerprint ({@link #pinnedSha256()}) or opt in to
 *     {@link #insecure()} (accepts any certificate; logged as a warning).
 * <li>{@link Mode#VERIFIED}: a server presents {@link #certificateChain()} and
 *     {@link #privateKey()}; a client checks the server's chain against {@link #caCertificates()}
 *     (or the system trust store when unset) and verifies the host name: the endpoint's host, or
 *     {@link #serverName()}.
 * </ul>
 *
 * <p><b>mTLS.</b> A server with {@link #caCertificates()} requires a client certificate and
 * verifies it against them (in either mode); a client with {@link #certificateChain()} and
 * {@link #privateKey()} presents them.
 *
 * <p>Files are PEM: the chain leaf first, the key PKCS#8 ({@code BEGIN PRIVATE KEY}; PKCS#1 and
 * SEC1 keys are read too), unencrypted. They are read when the server or broker starts (an
 * unreadable, malformed or mismatched file fails the start with an error naming it) and again on
 * every reload.
 *
 * @param mode                see above; default {@link Mode#NONE}
 * @param certificateChain    this side's certificate chain (PEM, leaf first): required by a
 *                            server in {@code VERIFIED} mode, refused by one in
 *                            {@code SELF_SIGNED} mode; a client's certificate for mTLS
 * @param privateKey          the key of {@code certificateChain} (PEM); set both or neither
 * @param caCertificates      trusted CA certificates (PEM): on a server, client certificates are
 *                            then required and verified against them (mTLS); on a client in
 *                            {@code VERIFIED} mode, the server's chain is checked against them
 *                            instead of the system trust store
 * @param pinnedSha256        a client in {@code SELF_SIGNED} mode: the server certificate's SHA-256
 *                            fingerprint, 64 hex digits (colons allowed; stored lowercase without
 *                            them)
 * @param insecure            a client in {@code SELF_SIGNED} mode: accept any server certificate
 *                            (encryption without authentication; logged as a warning)
 * @param serverName          a client: the name sent as SNI and verified against the server's
 *                            certificate, instead of the endpoint's host; null = the host
 * @param sniCertificates     a server: more certificates chosen by the name the client asks for
 *                            (SNI), exact or {@code *.example.com}; a client that asks for another
 *                            name or none gets the default one (the chain above, or the
 *                            self-signed one)
 * @param minVersion          the oldest TLS version accepted; default {@link Version#TLS_1_3}
 * @param handshakeTimeout    how long a handshake may take, from accept (server) or connect
 *                            (client); default 10 s
 * @param maxHandshakes       a server: handshakes in progress at once; a connection beyond it is
 *                            closed at once and counted ({@code too_many_handshakes}); default 1024
 * @param provider            which TLS implementation; default {@link Provider#AUTO} (OpenSSL when
 *                            its native library loads, else the JDK's)
 * @param reloadCheckInterval how often the files' modification times are checked, reloading them
 *                            when one changed; {@link Duration#ZERO} (default) = never (reload
 *                            explicitly: {@code FrameServer.reloadTls()}, {@code Broker.reloadTls()})
 */
public record TlsConfig(
        Mode mode,
        Path certificateChain,
        Path privateKey,
        Path caCertificates,
        String pinnedSha256,
        boolean insecure,
        String serverName,
        List<SniCertificate> sniCertificates,
        Version minVersion,
        Duration handshakeTimeout,
        int maxHandshakes,
        Provider provider,
        Duration reloadCheckInterval) {

    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern HOST = Pattern.compile("(\\*\\.)?[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\\.?");
    private static final TlsConfig NONE = builder().build();

    /** What a side does about TLS. */
    public enum Mode {
        /** Plaintext. */
        NONE,
        /** A server's in-memory certificate, pinned (or explicitly not checked) by clients. */
        SELF_SIGNED,
        /** Certificates from files, checked against a CA and the host name. */
        VERIFIED
    }

    /** Which TLS implementation to use. */
    public enum Provider {
        /** OpenSSL (BoringSSL, netty-tcnative) when its native library loads here, else the JDK's. */
        AUTO,
        /** OpenSSL only: fails to start where it cannot load. */
        OPENSSL,
        /** The JDK's implementation (SunJSSE). */
        JDK
    }

    /** The oldest TLS version accepted (nothing older than 1.2 ever is). */
    public enum Version {
        /** TLS 1.2 and 1.3. */
        TLS_1_2("TLSv1.2"),
        /** TLS 1.3 only. */
        TLS_1_3("TLSv1.3");

        private final String protocolName;

        Version(String protocolName) {
            this.protocolName = protocolName;
        }

        /** The JSSE protocol name, for example {@code TLSv1.3}. */
        public String protocolName() {
            return protocolName;
        }
    }

    /**
     * A server certificate chosen by SNI.
     *
     * @param serverName       an exact host name ({@code api.example.com}) or a wildcard over one
     *                         label ({@code *.example.com}); case does not matter
     * @param certificateChain PEM, leaf first
     * @param privateKey       PEM
     */
    public record SniCertificate(String serverName, Path certificateChain, Path privateKey) {
        /** Validates the name and requires both files. */
        public SniCertificate {
            Objects.requireNonNull(serverName, "sniCertificates.serverName");
            if (!HOST.matcher(serverName).matches()) {
                throw new IllegalArgumentException("tls.sniCertificates.serverName: '" + serverName
                        + "' (expected: a host name such as api.example.com, or a wildcard such as *.example.com)");
            }
            serverName = serverName.toLowerCase(Locale.ROOT);
            Objects.requireNonNull(certificateChain, "tls.sniCertificates[" + serverName + "].certificateChain");
            Objects.requireNonNull(privateKey, "tls.sniCertificates[" + serverName + "].privateKey");
        }
    }

    /** Validates every field on its own and the combinations that are wrong in every role. */
    public TlsConfig {
        Objects.requireNonNull(mode, "tls.mode");
        Objects.requireNonNull(minVersion, "tls.minVersion");
        Objects.requireNonNull(provider, "tls.provider");
        positive("tls.handshakeTimeout", handshakeTimeout);
        positive("tls.maxHandshakes", maxHandshakes);
        notNegative("tls.reloadCheckInterval", reloadCheckInterval);
        sniCertificates = List.copyOf(Objects.requireNonNull(sniCertificates, "tls.sniCertificates"));
        if ((certificateChain == null) != (privateKey == null)) {
            throw new IllegalArgumentException("tls: " + (certificateChain == null ? "privateKey " + privateKey
                    + " is set but certificateChain is not" : "certificateChain " + certificateChain
                    + " is set but privateKey is not") + " (expected: both or neither)");
        }
        pinnedSha256 = pinnedSha256 == null ? null : normalizeFingerprint(pinnedSha256);
        if (serverName != null && (!HOST.matcher(serverName).matches() || serverName.startsWith("*"))) {
            throw new IllegalArgumentException("tls.serverName: '" + serverName + "' (expected: a host name)");
        }
        if (mode == Mode.NONE) {
            rejectWithNone(certificateChain, caCertificates, pinnedSha256, insecure, serverName, sniCertificates);
        }
        if (pinnedSha256 != null && mode != Mode.SELF_SIGNED) {
            throw new IllegalArgumentException("tls.pinnedSha256 is set but mode is " + mode + " (expected: mode SELF_SIGNED)");
        }
        if (insecure && mode != Mode.SELF_SIGNED) {
            throw new IllegalArgumentException("tls.insecure is set but mode is " + mode + " (expected: mode SELF_SIGNED)");
        }
        if (insecure && pinnedSha256 != null) {
            throw new IllegalArgumentException("tls: both insecure and pinnedSha256 " + pinnedSha256
                    + " are set (expected: one of them)");
        }
        Set<String> names = new HashSet<>();
        for (SniCertificate sni : sniCertificates) {
            if (!names.add(sni.serverName())) {
                throw new IllegalArgumentException("tls.sniCertificates: '" + sni.serverName() + "' is listed twice");
            }
        }
    }

    private static void rejectWithNone(Path chain, Path ca, String pin, boolean insecure, String serverName,
                                       List<SniCertificate> sni) {
        String set = chain != null ? "certificateChain" : ca != null ? "caCertificates" : pin != null ? "pinnedSha256"
                : insecure ? "insecure" : serverName != null ? "serverName" : !sni.isEmpty() ? "sniCertificates" : null;
        if (set != null) {
            throw new IllegalArgumentException("tls." + set + " is set but mode is NONE (expected: mode SELF_SIGNED or VERIFIED)");
        }
    }

    /** Lowercase hex without colons; rejects anything but 32 bytes of hex. */
    private static String normalizeFingerprint(String value) {
        String hex = value.replace(":", "").strip().toLowerCase(Locale.ROOT);
        if (!HEX64.matcher(hex).matches()) {
            throw new IllegalArgumentException("tls.pinnedSha256: '" + value
                    + "' (expected: the certificate's SHA-256 fingerprint, 64 hex digits, colons allowed)");
        }
        return hex;
    }

    /** Plaintext: the default. */
    public static TlsConfig none() {
        return NONE;
    }

    /** A server that makes its own certificate when it starts. */
    public static TlsConfig selfSigned() {
        return builder().mode(Mode.SELF_SIGNED).build();
    }

    /** A client of a self-signed server whose certificate has this SHA-256 fingerprint. */
    public static TlsConfig pinned(String sha256) {
        return builder().mode(Mode.SELF_SIGNED).pinnedSha256(sha256).build();
    }

    /** A server presenting a certificate chain and key from PEM files. */
    public static TlsConfig verified(Path certificateChain, Path privateKey) {
        return builder().mode(Mode.VERIFIED).certificateChain(certificateChain).privateKey(privateKey).build();
    }

    /** Whether TLS is on (mode other than {@link Mode#NONE}). */
    public boolean enabled() {
        return mode != Mode.NONE;
    }

    /**
     * Checks the settings a server needs and refuses client-only ones; called when a server's
     * configuration is built.
     *
     * @throws IllegalArgumentException naming the field
     */
    public TlsConfig checkServer() {
        if (mode == Mode.VERIFIED && certificateChain == null) {
            throw new IllegalArgumentException("tls.certificateChain: not set (expected: a server in mode VERIFIED needs"
                    + " certificateChain and privateKey)");
        }
        if (mode == Mode.SELF_SIGNED && certificateChain != null) {
            throw new IllegalArgumentException("tls.certificateChain " + certificateChain + " is set but mode is SELF_SIGNED"
                    + " (expected: mode VERIFIED to serve it; a self-signed server makes its own)");
        }
        String clientOnly = pinnedSha256 != null ? "pinnedSha256" : insecure ? "insecure" : serverName != null ? "serverName" : null;
        if (clientOnly != null) {
            throw new IllegalArgumentException("tls." + clientOnly + " is a client setting (expected: unset on a server)");
        }
        return this;
    }

    /**
     * Checks the settings a client needs and refuses server-only ones; called when a broker's or a
     * probe's configuration is built.
     *
     * @throws IllegalArgumentException naming the field
     */
    public TlsConfig checkClient() {
        if (mode == Mode.SELF_SIGNED && pinnedSha256 == null && !insecure) {
            throw new IllegalArgumentException("tls.pinnedSha256: not set (expected: a client in mode SELF_SIGNED pins the"
                    + " server's SHA-256 fingerprint, or sets insecure to accept any certificate)");
        }
        if (!sniCertificates.isEmpty()) {
            throw new IllegalArgumentException("tls.sniCertificates is a server setting (expected: unset on a client)");
        }
        return this;
    }

    /** A builder starting from the defaults (mode {@code NONE}). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Mutable builder for {@link TlsConfig}; {@link #build()} validates. */
    public static final class Builder {
        private Mode mode = Mode.NONE;
        private Path certificateChain;
        private Path privateKey;
        private Path caCertificates;
        private String pinnedSha256;
        private boolean insecure;
        private String serverName;
        private List<SniCertificate> sniCertificates = List.of();
        private Version minVersion = Version.TLS_1_3;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private int maxHandshakes = 1024;
        private Provider provider = Provider.AUTO;
        private Duration reloadCheckInterval = Duration.ZERO;

        private Builder() {}

        private Builder(TlsConfig c) {
            mode = c.mode;
            certificateChain = c.certificateChain;
            privateKey = c.privateKey;
            caCertificates = c.caCertificates;
            pinnedSha256 = c.pinnedSha256;
            insecure = c.insecure;
            serverName = c.serverName;
            sniCertificates = c.sniCertificates;
            minVersion = c.minVersion;
            handshakeTimeout = c.handshakeTimeout;
            maxHandshakes = c.maxHandshakes;
            provider = c.provider;
            reloadCheckInterval = c.reloadCheckInterval;
        }

        /** @see TlsConfig#mode() */
        public Builder mode(Mode value) { mode = value; return this; }
        /** @see TlsConfig#certificateChain() */
        public Builder certificateChain(Path value) { certificateChain = value; return this; }
        /** @see TlsConfig#privateKey() */
        public Builder privateKey(Path value) { privateKey = value; return this; }
        /** @see TlsConfig#caCertificates() */
        public Builder caCertificates(Path value) { caCertificates = value; return this; }
        /** @see TlsConfig#pinnedSha256() */
        public Builder pinnedSha256(String value) { pinnedSha256 = value; return this; }
        /** @see TlsConfig#insecure() */
        public Builder insecure(boolean value) { insecure = value; return this; }
        /** @see TlsConfig#serverName() */
        public Builder serverName(String value) { serverName = value; return this; }
        /** @see TlsConfig#sniCertificates() */
        public Builder sniCertificates(List<SniCertificate> value) { sniCertificates = value; return this; }
        /** Adds one SNI certificate; see {@link TlsConfig#sniCertificates()}. */
        public Builder sniCertificate(String serverName, Path certificateChain, Path privateKey) {
            sniCertificates = new java.util.ArrayList<>(sniCertificates);
            sniCertificates.add(new SniCertificate(serverName, certificateChain, privateKey));
            return this;
        }
        /** @see TlsConfig#minVersion() */
        public Builder minVersion(Version value) { minVersion = value; return this; }
        /** @see TlsConfig#handshakeTimeout() */
        public Builder handshakeTimeout(Duration value) { handshakeTimeout = value; return this; }
        /** @see TlsConfig#maxHandshakes() */
        public Builder maxHandshakes(int value) { maxHandshakes = value; return this; }
        /** @see TlsConfig#provider() */
        public Builder provider(Provider value) { provider = value; return this; }
        /** @see TlsConfig#reloadCheckInterval() */
        public Builder reloadCheckInterval(Duration value) { reloadCheckInterval = value; return this; }

        /** Validates and builds the configuration. */
        public TlsConfig build() {
            return new TlsConfig(mode, certificateChain, privateKey, caCertificates, pinnedSha256, insecure, serverName,
                    sniCertificates, minVersion, handshakeTimeout, maxHandshakes, provider, reloadCheckInterval);
        }
    }
}
