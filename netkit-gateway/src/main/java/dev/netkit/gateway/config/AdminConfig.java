package dev.netkit.gateway.config;

import java.util.Objects;

/**
 * The admin HTTP server ({@code admin:}).
 *
 * @param bind {@code bind}: where it listens; default {@code 127.0.0.1:9901} (loopback: it can
 *             drain and reload the gateway)
 */
public record AdminConfig(BindAddress bind) {
    /** The default bind address. */
    public static final BindAddress DEFAULT_BIND = new BindAddress("127.0.0.1", 9901);

    /** Validates the address. */
    public AdminConfig {
        Objects.requireNonNull(bind, "bind");
    }

    /** Loopback, port 9901. */
    public static AdminConfig defaults() {
        return new AdminConfig(DEFAULT_BIND);
    }
}
