package dev.netkit.netty.internal.tls;

import dev.netkit.netty.tls.TlsConfig;
import dev.netkit.netty.tls.TlsSetupException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;

/** A client's loaded TLS context (trust rules, its own certificate for mTLS). Immutable once built. */
public final class ClientTlsMaterial implements TlsMaterial {
    private final SslContext context;
    private final List<Path> files;

    private ClientTlsMaterial(SslContext context, List<Path> files) {
        this.context = context;
        this.files = files;
    }

    /** Reads the files and builds the context; throws {@link TlsSetupException} naming the file. */
    public static ClientTlsMaterial load(TlsConfig c, SslProvider provider) {
        List<Path> files = new ArrayList<>();
        SslContextBuilder b = SslContextBuilder.forClient().sslProvider(provider).protocols(protocols(c));
        if (c.certificateChain() != null) {
            List<X509Certificate> chain = PemFiles.certificates("tls.certificateChain", c.certificateChain());
            var key = PemFiles.privateKey("tls.privateKey", c.privateKey());
            PemFiles.checkPair(key, chain.get(0), "tls.privateKey", c.privateKey(), c.certificateChain());
            b.keyManager(key, chain);
            files.add(c.certificateChain());
            files.add(c.privateKey());
        }
        if (c.mode() == TlsConfig.Mode.SELF_SIGNED) {
            // The pin is the identity: no CA, no host name (a self-signed certificate names no host).
            b.trustManager(new PinnedTrustManager(c.insecure() ? null : c.pinnedSha256())).endpointIdentificationAlgorithm(null);
        } else {
            if (c.caCertificates() != null) {
                b.trustManager(PemFiles.certificates("tls.caCertificates", c.caCertificates()));
                files.add(c.caCertificates());
            } // else: the JDK's default trust store
            b.endpointIdentificationAlgorithm("HTTPS"); // RFC 2818 host name check, against the endpoint's host or serverName
        }
        try {
            return new ClientTlsMaterial(b.build(), List.copyOf(files));
        } catch (SSLException | RuntimeException e) {
            throw new TlsSetupException("tls: cannot build the client's TLS context: " + e, null, e);
        }
    }

    /** TLS 1.3, and 1.2 when allowed: never anything older. */
    static String[] protocols(TlsConfig c) {
        return c.minVersion() == TlsConfig.Version.TLS_1_2 ? new String[] {"TLSv1.3", "TLSv1.2"} : new String[] {"TLSv1.3"};
    }

    public SslContext context() {
        return context;
    }

    @Override
    public List<Path> files() {
        return files;
    }

    @Override
    public void release() {
        ReferenceCountUtil.release(context);
    }
}
