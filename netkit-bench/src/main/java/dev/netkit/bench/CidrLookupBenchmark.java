package dev.netkit.bench;

import dev.netkit.core.ip.Cidr;
import dev.netkit.core.ip.CidrSet;
import dev.netkit.core.ip.IpAdmission;
import dev.netkit.core.ip.IpPolicy;
import dev.netkit.core.time.Ticker;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of an allow list of 10,000 CIDRs per accepted connection (issue 12): random networks
 * of one family (IPv4 /18../28, IPv6 /32../64 inside 2000::/3; seed 12), looked up with 1024
 * precomputed addresses taken in turn that all hit (inside a random network of the list) or all
 * miss. {@code primitive} is the bare {@link CidrSet} search on the address bits;
 * {@code inetAddress} is {@link CidrSet#contains(InetAddress)} (an IPv6 address's 16 bytes are
 * copied out of the JDK object); {@code admit} is what a server does per connection,
 * {@link IpAdmission#admit} with the list as its allow list and no per-IP limit. Run with
 * {@code -prof gc} to see the allocation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class CidrLookupBenchmark {
    @Param({"ipv4", "ipv6"})
    public String family;

    @Param({"hit", "miss"})
    public String outcome;

    @Param({"10000"})
    public int cidrs;

    private static final int PROBES = 1024; // a power of two

    private CidrSet set;
    private IpAdmission admission;
    private final InetAddress[] addresses = new InetAddress[PROBES];
    private final long[] hi = new long[PROBES];
    private final long[] lo = new long[PROBES];
    private boolean v6;
    private int next;

    @Setup
    public void setUp() throws UnknownHostException {
        v6 = family.equals("ipv6");
        Random random = new Random(12);
        List<Cidr> list = new ArrayList<>();
        List<long[]> ranges = new ArrayList<>(); // {hi, lo, prefix}
        for (int i = 0; i < cidrs; i++) {
            int prefix = v6 ? 32 + random.nextInt(33) : 18 + random.nextInt(11);
            long h = v6 ? (0x2000_0000_0000_0000L | (random.nextLong() >>> 3)) & mask(prefix) : 0;
            long l = v6 ? 0 : random.nextInt() & 0xffff_ffffL & (0xffff_ffffL << (32 - prefix));
            list.add(Cidr.parse(text(h, l) + "/" + prefix));
            ranges.add(new long[] {h, l, prefix});
        }
        set = CidrSet.of(list);
        admission = new IpAdmission(IpPolicy.builder().allow(set).build(), Ticker.system());
        boolean wantHit = outcome.equals("hit");
        for (int i = 0; i < PROBES; ) {
            long h;
            long l;
            if (wantHit) {
                long[] r = ranges.get(random.nextInt(ranges.size()));
                h = v6 ? r[0] | (random.nextLong() & ~mask((int) r[2])) : 0;
                l = v6 ? random.nextLong() : r[1] | (random.nextInt() & 0xffff_ffffL & ~(0xffff_ffffL << (32 - r[2])) & 0xffff_ffffL);
            } else {
                h = v6 ? 0x2000_0000_0000_0000L | (random.nextLong() >>> 3) : 0;
                l = v6 ? random.nextLong() : random.nextInt() & 0xffff_ffffL;
            }
            boolean hit = v6 ? set.containsIpv6(h, l) : set.containsIpv4((int) l);
            if (hit == wantHit) {
                hi[i] = h;
                lo[i] = l;
                addresses[i] = InetAddress.getByName(text(h, l)); // a literal: no lookup
                i++;
            }
        }
    }

    private static long mask(int prefix) {
        return prefix >= 64 ? -1L : prefix == 0 ? 0 : -1L << (64 - prefix);
    }

    private String text(long h, long l) {
        if (!v6) {
            return (l >>> 24 & 0xff) + "." + (l >>> 16 & 0xff) + "." + (l >>> 8 & 0xff) + "." + (l & 0xff);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            long word = i < 4 ? h : l;
            sb.append(Long.toHexString(word >>> (48 - 16 * (i % 4)) & 0xffff)).append(i < 7 ? ":" : "");
        }
        return sb.toString();
    }

    @Benchmark
    public boolean primitive() {
        int i = next++ & (PROBES - 1);
        return v6 ? set.containsIpv6(hi[i], lo[i]) : set.containsIpv4((int) lo[i]);
    }

    @Benchmark
    public boolean inetAddress() {
        return set.contains(addresses[next++ & (PROBES - 1)]);
    }

    @Benchmark
    public Object admit() {
        return admission.admit(addresses[next++ & (PROBES - 1)]);
    }
}
