package dev.netkit.core.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CidrSetTest {
    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // literals only here: no name lookup
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "10.0.0.0/8             | 10.0.0.0/8",
            "  192.168.1.7          | 192.168.1.7/32",
            "0.0.0.0/0              | 0.0.0.0/0",
            "::1                    | ::1/128",
            "2001:DB8::/32          | 2001:db8::/32",
            "2001:db8:0:0:1:0:0:1   | 2001:db8::1:0:0:1/128",
            "2001:0:0:1:0:0:0:0/64  | 2001:0:0:1::/64",
            "::/0                   | ::/0",
            "::ffff:10.0.0.0/104    | 10.0.0.0/8",
            "::ffff:1.2.3.4         | 1.2.3.4/32",
            "::ffff:0:0/96          | 0.0.0.0/0",
            "fe80::/10              | fe80::/10",
            "1:2:3:4:5:6:7:8        | 1:2:3:4:5:6:7:8/128",
            "::1.2.3.4              | ::102:304/128",
    })
    void parsesToItsNormalForm(String text, String normal) {
        Cidr c = Cidr.parse(text);
        assertThat(c).hasToString(normal);
        assertThat(Cidr.parse(c.toString())).isEqualTo(c);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "10.0.0.1/8        | bits are set after the /8 prefix (did you mean 10.0.0.0/8?)",
            "10.0.0.300        | octet 300 is out of range 0..255",
            "10.0.0            | four dot-separated numbers, got 3",
            "10.00.0.1         | leading zero",
            "10.0.0.0/33       | prefix length 33 is out of range 0..32",
            "10.0.0.0/         | prefix length \"\" is not a number 0..32",
            "10.0.0.0/x        | is not a number",
            "::1/129           | prefix length 129 is out of range 0..128",
            "1::2::3           | \"::\" may appear only once",
            "1:2:3:4:5:6:7     | eight groups",
            "1:2:3:4:5:6:7::8  | too many groups",
            "12345::           | \"12345\" is not a group of 1 to 4 hex digits",
            "fe80::1%eth0      | zone id",
            "example.com       | four dot-separated numbers, got 2",
            "1.2.3.4::         | a dotted IPv4 part may only end the address",
            "                  | four dot-separated numbers, got 1",
            "2001:db8::/16     | did you mean 2001::/16?",
    })
    void refusesBadTextNamingIt(String text, String problem) {
        String t = text == null ? "" : text.strip();
        assertThatThrownBy(() -> Cidr.parse(t)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("bad CIDR \"" + t + "\": ").hasMessageContaining(problem);
    }

    @Test
    void aBadEntryOfAListIsNamed() {
        assertThatThrownBy(() -> CidrSet.parse("10.0.0.0/8, 10.1.0.0/33, ::1"))
                .hasMessage("bad CIDR \"10.1.0.0/33\": prefix length 33 is out of range 0..32");
    }

    @Test
    void matchesIpv4Ipv6AndMappedAddresses() {
        CidrSet set = CidrSet.parse("10.0.0.0/8, 192.168.1.7, 2001:db8::/32, ::1");
        assertThat(set.contains(ip("10.255.255.255"))).isTrue();
        assertThat(set.contains(ip("11.0.0.0"))).isFalse();
        assertThat(set.contains(ip("192.168.1.7"))).isTrue();
        assertThat(set.contains(ip("192.168.1.8"))).isFalse();
        assertThat(set.contains(ip("2001:db8:ffff::1"))).isTrue();
        assertThat(set.contains(ip("2001:db9::"))).isFalse();
        assertThat(set.contains(ip("::1"))).isTrue();
        assertThat(set.contains(ip("::2"))).isFalse();
        assertThat(set.containsIpv6(0, 0xffff_0a01_0203L)).as("the primitive IPv6 lookup does not map").isFalse();
        assertThat(set.contains(IpKey.of(ip("10.1.2.3")))).isTrue();
        assertThat(set.containsIpv4(0x0a010203)).isTrue();
    }

    @Test
    void anIpv4MappedIpv6AddressMatchesIpv4NetworksAndIpv6NetworksDoNotMatchIpv4() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 10;
        mapped[15] = 1;
        // The JDK turns ::ffff:a.b.c.d into an Inet4Address; an Inet6Address holding it is built by hand.
        InetAddress v6Mapped = java.net.Inet6Address.getByAddress(null, mapped, -1);
        assertThat(v6Mapped).isInstanceOf(java.net.Inet6Address.class);
        assertThat(CidrSet.parse("10.0.0.0/8").contains(v6Mapped)).isTrue();
        assertThat(CidrSet.parse("::/0").contains(ip("10.0.0.1"))).isFalse();
        assertThat(CidrSet.parse("::/0").contains(v6Mapped)).isFalse();
        assertThat(CidrSet.parse("0.0.0.0/0").contains(ip("::1"))).isFalse();
    }

    @Test
    void inet4AddressHashCodeIsItsAddressWhichTheLookupReliesOn() {
        assertThat(IpKey.ipv4Bits((Inet4Address) ip("192.168.1.7"))).isEqualTo(0xc0a80107);
        assertThat(IpKey.ipv4Bits((Inet4Address) ip("255.0.0.1"))).isEqualTo(0xff000001);
    }

    @Test
    void overlappingAndAdjacentNetworksMerge() {
        CidrSet set = CidrSet.parse("10.0.0.0/9, 10.128.0.0/9, 10.1.0.0/16, 11.0.0.0/8, 13.0.0.0/8, ::/1, 8000::/1, ::1");
        assertThat(set.ranges()).isEqualTo(3); // 10/8 + 11/8 touch; 13/8 alone; ::/0
        assertThat(set.contains(ip("11.255.255.255"))).isTrue();
        assertThat(set.contains(ip("12.0.0.0"))).isFalse();
        assertThat(set.contains(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))).isTrue();
        assertThat(set.cidrs()).hasSize(8);
    }

    @Test
    void emptyAndEquality() {
        assertThat(CidrSet.parse(" ")).isSameAs(CidrSet.empty());
        assertThat(CidrSet.empty().contains(ip("1.2.3.4"))).isFalse();
        assertThat(CidrSet.parse("10.0.0.0/8,::1")).isEqualTo(CidrSet.parse(List.of("10.0.0.0/8", "::1/128")));
        assertThat(CidrSet.parse("10.0.0.0/8,::1")).isNotEqualTo(CidrSet.parse("::1,10.0.0.0/8"));
    }

    /**
     * Random networks (all prefix lengths, clustered so they overlap) and random addresses (many
     * near network edges) against a naive reference: a linear scan with BigInteger masks.
     */
    @Test
    void agreesWithANaiveReferenceOnRandomInput() {
        long seed = Long.getLong("netkit.test.seed", System.nanoTime()); // rerun a failure with -Dnetkit.test.seed=N
        System.out.println("CidrSetTest seed " + seed);
        Random random = new Random(seed);
        for (int round = 0; round < 200; round++) {
            int n = random.nextInt(40);
            List<String> texts = new ArrayList<>();
            List<BigInteger[]> ref = new ArrayList<>(); // {first, last, family}
            for (int i = 0; i < n; i++) {
                boolean v6 = random.nextBoolean();
                int bits = v6 ? 128 : 32;
                int prefix = random.nextInt(bits + 1);
                BigInteger address = randomAddress(random, v6);
                BigInteger hostMask = BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE);
                BigInteger first = address.andNot(hostMask);
                texts.add(format(first, v6) + "/" + prefix);
                ref.add(new BigInteger[] {first, first.or(hostMask), v6 ? BigInteger.ONE : BigInteger.ZERO});
            }
            CidrSet set = CidrSet.parse(texts);
            for (int probe = 0; probe < 200; probe++) {
                boolean v6 = random.nextBoolean();
                BigInteger a;
                if (!ref.isEmpty() && random.nextInt(3) > 0) { // an edge of a network, ± 1
                    BigInteger[] r = ref.get(random.nextInt(ref.size()));
                    v6 = r[2].signum() > 0;
                    a = r[random.nextBoolean() ? 0 : 1].add(BigInteger.valueOf(random.nextInt(3) - 1));
                    a = a.max(BigInteger.ZERO).min(BigInteger.ONE.shiftLeft(v6 ? 128 : 32).subtract(BigInteger.ONE));
                } else {
                    a = randomAddress(random, v6);
                }
                boolean expected = false;
                for (BigInteger[] r : ref) {
                    expected |= (r[2].signum() > 0) == v6 && a.compareTo(r[0]) >= 0 && a.compareTo(r[1]) <= 0;
                }
                boolean actual = v6 ? set.containsIpv6(a.shiftRight(64).longValue(), a.longValue()) : set.containsIpv4(a.intValue());
                assertThat(actual).as("seed %d: %s in %s", seed, format(a, v6), texts).isEqualTo(expected);
                assertThat(set.contains(ip(format(a, v6)))).as("seed %d: %s via InetAddress", seed, format(a, v6))
                        .isEqualTo(expected || isMappedMatch(set, a, v6));
            }
        }
    }

    /** An IPv6 probe in ::ffff:0:0/96 is looked up among the IPv4 networks by contains(InetAddress). */
    private static boolean isMappedMatch(CidrSet set, BigInteger a, boolean v6) {
        return v6 && a.shiftRight(32).equals(BigInteger.valueOf(0xffff)) && set.containsIpv4(a.intValue());
    }

    private static BigInteger randomAddress(Random random, boolean v6) {
        // Clustered: a few high bits chosen from a small pool, so networks overlap often.
        int bits = v6 ? 128 : 32;
        BigInteger a = new BigInteger(bits, random);
        BigInteger top = BigInteger.valueOf(random.nextInt(4)).shiftLeft(bits - 2);
        return a.clearBit(bits - 1).clearBit(bits - 2).or(top);
    }

    private static String format(BigInteger a, boolean v6) {
        if (!v6) {
            long v = a.longValue();
            return (v >>> 24 & 0xff) + "." + (v >>> 16 & 0xff) + "." + (v >>> 8 & 0xff) + "." + (v & 0xff);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 7; i >= 0; i--) {
            sb.append(Integer.toHexString(a.shiftRight(16 * i).intValue() & 0xffff)).append(i > 0 ? ":" : "");
        }
        return sb.toString();
    }
}
