package dev.netkit.gateway.config;

import dev.netkit.netty.wire.AnetWireFormat;
import java.util.Objects;

/**
 * A route's condition: the request payload has {@code prefix} at byte {@code offset}
 * ({@code match: { offset: 0, prefix: "A0" }}, or {@code text: "GET"} for UTF-8 text).
 *
 * @param offset where the prefix starts in the payload, 0..{@value AnetWireFormat#MAX_PAYLOAD} - 1; default 0
 * @param prefix the bytes, at least one, ending within the largest payload
 */
public record PayloadMatch(int offset, Payload prefix) {
    /** Validates both. */
    public PayloadMatch {
        Objects.requireNonNull(prefix, "prefix");
        if (offset < 0 || offset >= AnetWireFormat.MAX_PAYLOAD) {
            throw new IllegalArgumentException("offset " + offset + " is out of range 0.." + (AnetWireFormat.MAX_PAYLOAD - 1));
        }
        if (prefix.isEmpty()) {
            throw new IllegalArgumentException("prefix is empty (expected at least one byte)");
        }
        if (offset + prefix.length() > AnetWireFormat.MAX_PAYLOAD) {
            throw new IllegalArgumentException("offset + prefix length " + (offset + prefix.length())
                    + " is beyond the largest payload (" + AnetWireFormat.MAX_PAYLOAD + " bytes)");
        }
    }

    /** Whether {@code payload} matches. */
    public boolean matches(byte[] payload) {
        return prefix.matches(payload, offset);
    }
}
