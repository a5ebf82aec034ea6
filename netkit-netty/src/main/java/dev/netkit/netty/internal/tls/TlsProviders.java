package dev.netkit.netty.internal.tls;

import dev.netkit.netty.tls.TlsConfig;
import dev.netkit.netty.tls.TlsSetupException;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns {@link TlsConfig.Provider} into Netty's {@link SslProvider}. OpenSSL is
 * {@link SslProvider#OPENSSL_REFCNT}: its contexts are released explicitly (see
 * {@link ReloadableTls}), not by a finalizer.
 */
public final class TlsProviders {
    private static final Logger log = LoggerFactory.getLogger(TlsProviders.class);
    private static final AtomicBoolean fallbackLogged = new AtomicBoolean();

    private TlsProviders() {}

    public static SslProvider resolve(TlsConfig.Provider provider) {
        return switch (provider) {
            case JDK -> SslProvider.JDK;
            case OPENSSL -> {
                if (!OpenSsl.isAvailable()) {
                    throw new TlsSetupException("tls.provider OPENSSL: not available here (" + OpenSsl.unavailabilityCause()
                            + "); use AUTO or JDK", null, OpenSsl.unavailabilityCause());
                }
                yield SslProvider.OPENSSL_REFCNT;
            }
            case AUTO -> {
                if (OpenSsl.isAvailable()) {
                    yield SslProvider.OPENSSL_REFCNT;
                }
                if (fallbackLogged.compareAndSet(false, true)) {
                    log.info("OpenSSL (netty-tcnative) is not available here ({}); TLS uses the JDK's provider",
                            String.valueOf(OpenSsl.unavailabilityCause()));
                }
                yield SslProvider.JDK;
            }
        };
    }

    /** For logs: {@code "OpenSSL (BoringSSL)"} or {@code "JDK"}. */
    public static String describe(SslProvider provider) {
        return provider == SslProvider.JDK ? "JDK" : "OpenSSL (" + OpenSsl.versionString() + ")";
    }
}
