package dev.netkit.gateway.config;

import dev.netkit.netty.wire.AnetWireFormat;

/**
 * Where an anet listener reads each request's consistent-hash key in the payload
 * ({@code hash_key: { offset: 2, length: 8 }}). The key is given to the cluster's balancer, so it
 * decides only with {@code lb: ring-hash} or {@code maglev}; a payload too short for it is hashed
 * on the bytes it has from {@code offset}.
 *
 * @param offset first byte of the key, 0..{@value AnetWireFormat#MAX_PAYLOAD} - 1; default 0
 * @param length bytes in the key, at least 1, ending within the largest payload; default 8
 */
public record HashKeyConfig(int offset, int length) {
    /** The default length. */
    public static final int DEFAULT_LENGTH = 8;

    /** Validates both. */
    public HashKeyConfig {
        if (offset < 0 || offset >= AnetWireFormat.MAX_PAYLOAD) {
            throw new IllegalArgumentException("offset " + offset + " is out of range 0.." + (AnetWireFormat.MAX_PAYLOAD - 1));
        }
        if (length < 1 || offset + length > AnetWireFormat.MAX_PAYLOAD) {
            throw new IllegalArgumentException("length " + length + " is out of range 1.." + (AnetWireFormat.MAX_PAYLOAD - offset)
                    + " (the key must end within the largest payload)");
        }
    }
}
