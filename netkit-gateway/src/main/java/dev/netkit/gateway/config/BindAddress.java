package dev.netkit.gateway.config;

import java.util.Objects;

/**
 * Where a listener or the admin server binds: {@code host:port}, port 0 = any free port.
 *
 * @param host a host name or IP literal (IPv6 without brackets); {@code 0.0.0.0} for every interface
 * @param port 0..65535
 */
public record BindAddress(String host, int port) {
    /** Validates the host and port. */
    public BindAddress {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host is empty (expected host:port)");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port " + port + " is out of range 0..65535");
        }
    }

    /**
     * Parses {@code host:port} or {@code [v6-literal]:port}.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static BindAddress parse(String text) {
        String s = text.strip();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("\"" + text + "\" is not host:port");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + text + "\": port is not a number (expected host:port)");
        }
        return new BindAddress(host, port);
    }

    /** {@code host:port}, with brackets around an IPv6 literal. */
    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
