package dev.netkit.netty.internal.fleet;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/*
 * GCRA (the generic cell rate algorithm, as in ATM and redis-cell) in one Lua script, so one
 * round trip both reads and advances the shared state atomically. The state is one number, the
 * theoretical arrival time TAT in microseconds of Redis's own clock (TIME: members' clocks never
 * meet, so their skew does not matter). With T = 1e6 / rate:
 *
 *     available = floor((now + burst*T - max(TAT, now)) / T), clamped to 0..burst
 *     granted   = min(wanted, available);  TAT' = max(TAT, now) + granted*T
 *
 * The key expires when the bucket would be full again (nothing to remember). The reply also
 * says when `wanted` tokens will be available (wanted <= burst; a member at the fleet's rate asks
 * again only then, so a saturated fleet costs one round trip per batch, not per token) and how many
 * members asked within the last MEMBER_TTL (a sorted set, scored by time, trimmed in the same
 * call): the fallback divides the rate by it. Lua numbers are doubles: a TAT of ~1.8e15 us keeps
 * sub-microsecond resolution, enough for rates up to millions per second.
 */
/** The fleet bucket's Lua script and its SHA-1 (for EVALSHA). */
public final class GcraScript {
    /** How long a member counts as present after its last round trip. */
    public static final long MEMBER_TTL_MILLIS = 10_000;

    /** KEYS: state, member set. ARGV: rate/s, burst, wanted, member id, member ttl ms. Reply: granted, us until `wanted` are available, members. */
    public static final String SOURCE = """
            local rate = tonumber(ARGV[1])
            local burst = tonumber(ARGV[2])
            local want = tonumber(ARGV[3])
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local interval = 1000000 / rate
            local tat = tonumber(redis.call('GET', KEYS[1]))
            if (not tat) or tat < now then tat = now end
            local avail = math.floor((now + burst * interval - tat) / interval)
            if avail > burst then avail = burst end
            if avail < 0 then avail = 0 end
            local grant = math.min(want, avail)
            if grant > 0 then
              tat = tat + grant * interval
              redis.call('SET', KEYS[1], string.format('%.3f', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
            end
            local retry = 0
            if grant < want then
              retry = math.max(0, math.ceil(tat - (burst - want) * interval - now))
            end
            local ttl = tonumber(ARGV[5])
            redis.call('ZADD', KEYS[2], now, ARGV[4])
            redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - ttl * 1000)
            redis.call('PEXPIRE', KEYS[2], ttl)
            return {grant, retry, redis.call('ZCARD', KEYS[2])}
            """;

    /** The script's SHA-1 in hex, as Redis names it. */
    public static final String SHA1 = sha1(SOURCE);

    private GcraScript() {}

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JDK", e);
        }
    }
}
