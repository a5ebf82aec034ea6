package dev.netkit.core.endpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@code host:port} a client connects to. Immutable; the host is kept as given (name or
 * literal) and resolved by the transport at connect time.
 *
 * @param host a host name or IP literal (IPv6 without brackets)
 * @param port 1..65535
 */
public record Endpoint(String host, int port) {

    /** Validates the host and port. */
    public Endpoint {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host: must not be blank (got '" + host + "')");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
        }
    }

    /**
     * Parses {@code host:port}, or {@code [v6-literal]:port}.
     *
     * @throws IllegalArgumentException naming the text when it is not of that form
     */
    public static Endpoint parse(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.strip();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("endpoint '" + text + "': expected host:port");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("endpoint '" + text + "': port is not a number");
        }
        return new Endpoint(host, port);
    }

    /** Parses a comma-separated list of {@code host:port}; at least one is required. */
    public static List<Endpoint> parseList(String text) {
        Objects.requireNonNull(text, "text");
        List<Endpoint> endpoints = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                endpoints.add(parse(part));
            }
        }
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("endpoints '" + text + "': expected host:port[,host:port...]");
        }
        return List.copyOf(endpoints);
    }

    /** {@code host:port}, with brackets around an IPv6 literal. */
    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
