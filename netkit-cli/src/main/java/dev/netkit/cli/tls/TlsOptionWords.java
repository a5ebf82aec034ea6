package dev.netkit.cli.tls;

import dev.netkit.netty.tls.TlsConfig;

/** Builds a {@link TlsConfig}, naming the command-line option in a validation message instead of the field. */
final class TlsOptionWords {
    private TlsOptionWords() {}

    static TlsConfig build(java.util.function.Supplier<TlsConfig> constructor) {
        try {
            return constructor.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(words(e.getMessage()), e);
        }
    }

    static String words(String message) {
        return message.replace("tls.pinnedSha256", "--tls-pin").replace("tls.serverName", "--tls-server-name")
                .replace("tls.handshakeTimeout", "--tls-handshake-timeout")
                .replace("tls.reloadCheckInterval", "--tls-reload-interval")
                .replace("tls.certificateChain", "--tls-cert").replace("tls.privateKey", "--tls-key")
                .replace("tls.caCertificates", "--tls-ca");
    }
}
