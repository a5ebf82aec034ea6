package dev.netkit.netty.internal.tls;

import dev.netkit.netty.tls.TlsConfig;
import dev.netkit.netty.tls.TlsSetupException;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;
import io.netty.util.ReferenceCountUtil;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's loaded TLS set: the default context (the configured chain, or the self-signed one)
 * and one per SNI certificate, chosen by server name. Immutable once built.
 */
public final class ServerTlsMaterial implements TlsMaterial {
    private static final Logger log = LoggerFactory.getLogger(ServerTlsMaterial.class);

    private final List<SslContext> contexts;
    private final Mapping<String, SslContext> byName;
    private final String fingerprint;
    private final List<Path> files;

    private ServerTlsMaterial(List<SslContext> contexts, Mapping<String, SslContext> byName, String fingerprint, List<Path> files) {
        this.contexts = contexts;
        this.byName = byName;
        this.fingerprint = fingerprint;
        this.files = files;
    }

    /**
     * Reads every file and builds every context; on any failure releases what it built and
     * throws {@link TlsSetupException} naming the file.
     *
     * @param selfSigned the server's in-memory certificate in mode SELF_SIGNED (kept across
     *                   reloads, so pinned clients still connect), else null
     */
    public static ServerTlsMaterial load(TlsConfig c, SslProvider provider, SelfSigned selfSigned) {
        List<SslContext> built = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        try {
            X509Certificate[] trusted = c.caCertificates() == null ? null
                    : PemFiles.certificates("tls.caCertificates", c.caCertificates()).toArray(X509Certificate[]::new);
            if (c.caCertificates() != null) {
                files.add(c.caCertificates());
            }
            SslContext main;
            String fingerprint;
            if (selfSigned != null) {
                main = context(c, provider, selfSigned.key(), new X509Certificate[] {selfSigned.certificate()}, trusted);
                fingerprint = selfSigned.sha256();
            } else {
                KeyAndChain own = read("tls.certificateChain", "tls.privateKey", c.certificateChain(), c.privateKey(), files);
                main = context(c, provider, own.key(), own.chain(), trusted);
                fingerprint = Fingerprints.sha256(own.chain()[0]);
            }
            built.add(main);
            DomainWildcardMappingBuilder<SslContext> mapping = new DomainWildcardMappingBuilder<>(main);
            for (TlsConfig.SniCertificate sni : c.sniCertificates()) {
                String prefix = "tls.sniCertificates[" + sni.serverName() + "]";
                KeyAndChain own = read(prefix + ".certificateChain", prefix + ".privateKey", sni.certificateChain(), sni.privateKey(), files);
                SslContext ctx = context(c, provider, own.key(), own.chain(), trusted);
                built.add(ctx);
                mapping.add(sni.serverName(), ctx);
            }
            return new ServerTlsMaterial(List.copyOf(built), mapping.build(), fingerprint, List.copyOf(files));
        } catch (RuntimeException e) {
            built.forEach(ReferenceCountUtil::release);
            throw e;
        }
    }

    private record KeyAndChain(PrivateKey key, X509Certificate[] chain) {}

    private static KeyAndChain read(String chainSetting, String keySetting, Path chainFile, Path keyFile, List<Path> files) {
        List<X509Certificate> chain = PemFiles.certificates(chainSetting, chainFile);
        PrivateKey key = PemFiles.privateKey(keySetting, keyFile);
        PemFiles.checkPair(key, chain.get(0), keySetting, keyFile, chainFile);
        warnIfOutsideValidity(chain.get(0), chainSetting, chainFile);
        files.add(chainFile);
        files.add(keyFile);
        return new KeyAndChain(key, chain.toArray(X509Certificate[]::new));
    }

    private static void warnIfOutsideValidity(X509Certificate leaf, String setting, Path file) {
        Date now = new Date();
        if (now.after(leaf.getNotAfter()) || now.before(leaf.getNotBefore())) {
            // Served anyway (a rotation may be under way), but clients will refuse it.
            log.warn("{} {}: the certificate {} is not valid now (valid {} to {}); clients will refuse it",
                    setting, file, leaf.getSubjectX500Principal().getName(), leaf.getNotBefore(), leaf.getNotAfter());
        }
    }

    private static SslContext context(TlsConfig c, SslProvider provider, PrivateKey key, X509Certificate[] chain,
                                      X509Certificate[] trusted) {
        SslContextBuilder b = SslContextBuilder.forServer(key, chain)
                .sslProvider(provider)
                .protocols(ClientTlsMaterial.protocols(c));
        if (trusted != null) {
            b.trustManager(trusted).clientAuth(ClientAuth.REQUIRE);
        }
        try {
            return b.build();
        } catch (SSLException | RuntimeException e) {
            throw new TlsSetupException("tls: cannot build the server's TLS context from " + c.certificateChain() + ": " + e, null, e);
        }
    }

    /** The context for a client that asked for {@code serverName} (null: none, the default). */
    public SslContext select(String serverName) {
        return byName.map(serverName);
    }

    /** SHA-256 of the default certificate. */
    public String fingerprint() {
        return fingerprint;
    }

    @Override
    public List<Path> files() {
        return files;
    }

    @Override
    public void release() {
        contexts.forEach(ReferenceCountUtil::release);
    }
}
