package dev.netkit.gateway.config;

import dev.netkit.netty.tls.TlsConfig;
import dev.netkit.netty.tls.TlsConfig.Mode;
import dev.netkit.netty.tls.TlsConfig.Provider;
import dev.netkit.netty.tls.TlsConfig.SniCertificate;
import dev.netkit.netty.tls.TlsConfig.Version;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads a {@code tls:} section (a listener's: the server side; a cluster's: the client side) into
 * the library's {@link TlsConfig}. The keys are the record's fields in snake_case, so the
 * library's own validation messages name them as the file does. Relative file names are taken
 * from the configuration file's folder; each named file must be readable when the file is loaded
 * (its content is checked when the listener or cluster starts, and on every reload).
 */
final class TlsParser {
    static final List<String> KEYS = List.of("mode", "certificate_chain", "private_key", "ca_certificates", "pinned_sha256",
            "insecure", "server_name", "sni_certificates", "min_version", "handshake_timeout", "max_handshakes", "provider",
            "reload_check_interval");
    static final List<String> SNI_KEYS = List.of("server_name", "certificate_chain", "private_key");
    static final List<Mode> MODES = List.of(Mode.values());
    static final List<Version> VERSIONS = List.of(Version.values());
    static final List<Provider> PROVIDERS = List.of(Provider.values());

    /** Which side of a connection the section configures. */
    enum Role { SERVER, CLIENT }

    private TlsParser() {}

    /** The section's configuration; an absent section is {@link TlsConfig#none()}. */
    static TlsConfig parse(Section t, Path baseDir, Role role) {
        if (t.keys().isEmpty()) {
            return TlsConfig.none();
        }
        TlsConfig d = TlsConfig.none();
        TlsConfig.Builder b = TlsConfig.builder()
                .mode(t.choice("mode", Mode.NONE, MODES, TlsParser::modeName))
                .certificateChain(file(t, "certificate_chain", baseDir))
                .privateKey(file(t, "private_key", baseDir))
                .caCertificates(file(t, "ca_certificates", baseDir))
                .pinnedSha256(t.string("pinned_sha256", null))
                .insecure(t.bool("insecure", false))
                .serverName(t.string("server_name", null))
                .minVersion(t.choice("min_version", d.minVersion(), VERSIONS, TlsParser::versionName))
                .handshakeTimeout(t.duration("handshake_timeout", d.handshakeTimeout(), Duration.ofNanos(1)))
                .maxHandshakes(t.integer("max_handshakes", d.maxHandshakes(), 1, Integer.MAX_VALUE))
                .provider(t.choice("provider", d.provider(), PROVIDERS, TlsParser::providerName))
                .reloadCheckInterval(t.duration("reload_check_interval", d.reloadCheckInterval(), Duration.ZERO));
        List<Node> sni = t.list("sni_certificates");
        List<SniCertificate> certificates = new ArrayList<>();
        for (int i = 0; i < sni.size(); i++) {
            Section s = Section.open(t.file(), Section.child(t.path(), "sni_certificates") + "[" + i + "]", sni.get(i), SNI_KEYS);
            String name = s.requiredString("server_name", "the name clients ask for, e.g. api.example.com or *.example.com");
            Path chain = requiredFile(s, "certificate_chain", baseDir);
            Path key = requiredFile(s, "private_key", baseDir);
            certificates.add(build(s, () -> new SniCertificate(name, chain, key)));
        }
        b.sniCertificates(certificates);
        TlsConfig config = build(t, b::build);
        return build(t, role == Role.SERVER ? config::checkServer : config::checkClient);
    }

    /** Runs a library constructor; its message in the file's words (snake_case, {@code self-signed}). */
    private static <T> T build(Section s, Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (IllegalArgumentException e) {
            String message = Section.inFileWords(e.getMessage()).replace("tls.", "");
            for (Mode m : MODES) { // the library names modes as its enum does
                message = message.replaceAll("\\b" + m.name() + "\\b", modeName(m));
            }
            throw s.error(message);
        }
    }

    private static Path requiredFile(Section s, String key, Path baseDir) {
        if (!s.has(key)) {
            throw s.error("missing key \"" + key + "\" (a PEM file)");
        }
        return file(s, key, baseDir);
    }

    /** The PEM file named by {@code key}, resolved against {@code baseDir}, which must be readable; null when absent. */
    private static Path file(Section s, String key, Path baseDir) {
        String name = s.string(key, null);
        if (name == null) {
            return null;
        }
        if (name.isBlank()) {
            throw s.error(key, "is empty (expected a PEM file)");
        }
        Path p = baseDir.resolve(name).normalize();
        if (!Files.isRegularFile(p)) {
            throw s.error(key, "cannot read " + p + ": " + (Files.exists(p) ? "not a regular file" : "no such file"));
        }
        if (!Files.isReadable(p)) {
            throw s.error(key, "cannot read " + p + ": permission denied");
        }
        return p;
    }

    static String modeName(Mode m) {
        return m.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static String versionName(Version v) {
        return v == Version.TLS_1_2 ? "1.2" : "1.3";
    }

    static String providerName(Provider p) {
        return p.name().toLowerCase(Locale.ROOT);
    }
}
