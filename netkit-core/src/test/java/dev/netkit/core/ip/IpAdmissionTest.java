package dev.netkit.core.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netkit.core.time.ManualTicker;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class IpAdmissionTest {
    private final ManualTicker ticker = new ManualTicker();

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private IpAdmission admission(IpPolicy.Builder policy) {
        return new IpAdmission(policy.build(), ticker);
    }

    private static IpPermit permit(IpDecision d) {
        assertThat(d).isInstanceOf(IpPermit.class);
        return (IpPermit) d;
    }

    @Test
    void theDefaultAdmitsEveryoneAndTracksNothing() {
        IpAdmission a = new IpAdmission(IpPolicy.allowAll(), ticker);
        IpPermit p = permit(a.admit(ip("203.0.113.9")));
        assertThat(p.counted()).isFalse();
        p.release();
        assertThat(a.trackedIps()).isZero();
        assertThat(a.refusals()).containsOnlyKeys("denied", "not_allowed", "max_connections_per_ip", "rate_per_ip", "too_many_ips")
                .allSatisfy((k, v) -> assertThat(v).isZero());
    }

    @Test
    void denyWinsOverAllowAndAnAllowListRefusesTheRest() {
        IpAdmission a = admission(IpPolicy.builder().allow("10.0.0.0/8, 2001:db8::/32").deny("10.6.6.0/24"));
        assertThat(a.admit(ip("10.1.2.3"))).isInstanceOf(IpPermit.class);
        assertThat(a.admit(ip("2001:db8::7"))).isInstanceOf(IpPermit.class);
        assertThat(a.admit(ip("10.6.6.6"))).isEqualTo(IpRefusal.DENIED);
        assertThat(a.admit(ip("192.168.0.1"))).isEqualTo(IpRefusal.NOT_ALLOWED);
        assertThat(a.admit(ip("::1"))).isEqualTo(IpRefusal.NOT_ALLOWED);
        assertThat(a.refused(IpRefusal.DENIED)).isEqualTo(1);
        assertThat(a.refused(IpRefusal.NOT_ALLOWED)).isEqualTo(2);
        assertThat(a.trackedIps()).as("no per-IP limit: nothing kept").isZero();
    }

    @Test
    void perIpConnectionLimitFreesASlotOnRelease() {
        IpAdmission a = admission(IpPolicy.builder().maxConnectionsPerIp(2));
        IpPermit first = permit(a.admit(ip("10.0.0.1")));
        permit(a.admit(ip("10.0.0.1")));
        assertThat(a.admit(ip("10.0.0.1"))).isEqualTo(IpRefusal.MAX_CONNECTIONS_PER_IP);
        permit(a.admit(ip("10.0.0.2"))); // another address has its own count
        assertThat(a.openConnections(ip("10.0.0.1"))).isEqualTo(2);
        first.release();
        first.release(); // idempotent: frees one slot, not two
        assertThat(a.openConnections(ip("10.0.0.1"))).isEqualTo(1);
        permit(a.admit(ip("10.0.0.1")));
        assertThat(a.admit(ip("10.0.0.1"))).isEqualTo(IpRefusal.MAX_CONNECTIONS_PER_IP);
        assertThat(a.refused(IpRefusal.MAX_CONNECTIONS_PER_IP)).isEqualTo(2);
    }

    @Test
    void anIpv4ClientIsOneAddressWhetherSeenAsIpv4OrAsMappedIpv6() throws Exception {
        IpAdmission a = admission(IpPolicy.builder().maxConnectionsPerIp(1));
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1};
        permit(a.admit(ip("10.0.0.1")));
        assertThat(a.admit(java.net.Inet6Address.getByAddress(null, mapped, -1))).isEqualTo(IpRefusal.MAX_CONNECTIONS_PER_IP);
    }

    @Test
    void ratePerIpIsATokenBucketOfOneSecond() {
        IpAdmission a = admission(IpPolicy.builder().maxNewConnectionsPerSecondPerIp(3));
        for (int i = 0; i < 3; i++) {
            permit(a.admit(ip("10.0.0.1"))).release(); // closing does not give rate back
        }
        assertThat(a.admit(ip("10.0.0.1"))).isEqualTo(IpRefusal.RATE_PER_IP);
        permit(a.admit(ip("10.0.0.2")));
        ticker.advance(Duration.ofMillis(333));
        assertThat(a.admit(ip("10.0.0.1"))).as("a third of a second: not yet one token").isEqualTo(IpRefusal.RATE_PER_IP);
        ticker.advance(Duration.ofMillis(1));
        permit(a.admit(ip("10.0.0.1")));
        assertThat(a.admit(ip("10.0.0.1"))).isEqualTo(IpRefusal.RATE_PER_IP);
        ticker.advance(Duration.ofSeconds(10)); // a long pause refills the bucket, never beyond its size
        for (int i = 0; i < 3; i++) {
            permit(a.admit(ip("10.0.0.1")));
        }
        assertThat(a.admit(ip("10.0.0.1"))).isEqualTo(IpRefusal.RATE_PER_IP);
        assertThat(a.refused(IpRefusal.RATE_PER_IP)).isEqualTo(4);
    }

    @Test
    void aFractionalRateAllowsOneConnectionPerInterval() {
        IpAdmission a = admission(IpPolicy.builder().maxNewConnectionsPerSecondPerIp(0.5));
        permit(a.admit(ip("10.0.0.1")));
        ticker.advance(Duration.ofMillis(1999));
        assertThat(a.admit(ip("10.0.0.1"))).isEqualTo(IpRefusal.RATE_PER_IP);
        ticker.advance(Duration.ofMillis(1));
        permit(a.admit(ip("10.0.0.1")));
    }

    @Test
    void anAddressIsForgottenWhenItHasNoConnectionAndAFullBucket() {
        IpAdmission a = admission(IpPolicy.builder().maxConnectionsPerIp(5));
        IpPermit p = permit(a.admit(ip("10.0.0.1")));
        assertThat(a.trackedIps()).isEqualTo(1);
        p.release();
        assertThat(a.trackedIps()).as("no rate: forgotten at its last close").isZero();

        IpAdmission rated = admission(IpPolicy.builder().maxConnectionsPerIp(5).maxNewConnectionsPerSecondPerIp(10));
        for (int i = 0; i < 100; i++) {
            permit(rated.admit(ip("10.1.0." + i))).release();
        }
        assertThat(rated.trackedIps()).as("buckets refilling: kept until a sweep").isEqualTo(100);
        ticker.advance(Duration.ofSeconds(1));
        permit(rated.admit(ip("10.2.0.1"))); // the next admission sweeps
        assertThat(rated.trackedIps()).isEqualTo(1);
    }

    @Test
    void theMapIsBoundedAndANewAddressBeyondTheCapIsRefused() {
        IpAdmission a = admission(IpPolicy.builder().maxConnectionsPerIp(1).maxTrackedIps(3));
        List<IpPermit> held = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            held.add(permit(a.admit(ip("10.0.0." + i))));
        }
        ticker.advance(Duration.ofSeconds(5)); // a sweep may run: it cannot forget addresses with connections
        assertThat(a.admit(ip("10.0.0.4"))).isEqualTo(IpRefusal.TOO_MANY_IPS);
        assertThat(a.admit(ip("10.0.0.1"))).as("a known address is still judged by its own limit")
                .isEqualTo(IpRefusal.MAX_CONNECTIONS_PER_IP);
        assertThat(a.trackedIps()).isEqualTo(3);
        held.get(0).release();
        permit(a.admit(ip("10.0.0.4")));
        assertThat(a.refused(IpRefusal.TOO_MANY_IPS)).isEqualTo(1);
    }

    @Test
    void aFullMapIsSweptOfRefillingAddressesBeforeRefusing() {
        IpAdmission a = admission(IpPolicy.builder().maxNewConnectionsPerSecondPerIp(1).maxTrackedIps(2));
        permit(a.admit(ip("10.0.0.1"))).release();
        permit(a.admit(ip("10.0.0.2"))).release();
        assertThat(a.admit(ip("10.0.0.3"))).isEqualTo(IpRefusal.TOO_MANY_IPS); // both buckets still refilling
        ticker.advance(Duration.ofSeconds(1));
        permit(a.admit(ip("10.0.0.3")));
        assertThat(a.trackedIps()).isEqualTo(1);
    }

    @Test
    void aNewPolicyAppliesToNewConnectionsAndOpenOnesKeepTheirCount() {
        IpAdmission a = admission(IpPolicy.builder().maxConnectionsPerIp(1));
        IpPermit held = permit(a.admit(ip("10.0.0.1")));
        a.policy(IpPolicy.builder().maxConnectionsPerIp(2).deny("10.9.0.0/16").build());
        permit(a.admit(ip("10.0.0.1")));
        assertThat(a.admit(ip("10.0.0.1"))).isEqualTo(IpRefusal.MAX_CONNECTIONS_PER_IP);
        assertThat(a.admit(ip("10.9.0.1"))).isEqualTo(IpRefusal.DENIED);
        a.policy(IpPolicy.allowAll());
        held.release();
        assertThat(a.openConnections(ip("10.0.0.1"))).isEqualTo(1);
        assertThat(a.admit(ip("10.9.0.1"))).isInstanceOf(IpPermit.class);
    }

    @Test
    void concurrentAdmitsNeverExceedTheLimitAndReleasesBalance() throws Exception {
        IpAdmission a = new IpAdmission(IpPolicy.builder().maxConnectionsPerIp(50).build(), System::nanoTime);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<IpPermit>>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    List<IpPermit> mine = new ArrayList<>();
                    for (int i = 0; i < 10_000; i++) {
                        if (a.admit(ip("10.0.0." + (i % 3))) instanceof IpPermit p) {
                            if (i % 2 == 0) {
                                p.release();
                            } else {
                                mine.add(p);
                            }
                        }
                    }
                    return mine;
                }));
            }
            start.countDown();
            List<IpPermit> held = new ArrayList<>();
            for (Future<List<IpPermit>> f : results) {
                held.addAll(f.get());
            }
            for (int i = 0; i < 3; i++) {
                assertThat(a.openConnections(ip("10.0.0." + i))).isLessThanOrEqualTo(50);
            }
            assertThat(held).hasSize(a.openConnections(ip("10.0.0.0")) + a.openConnections(ip("10.0.0.1"))
                    + a.openConnections(ip("10.0.0.2")));
            held.forEach(IpPermit::release);
            assertThat(a.trackedIps()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void invalidPoliciesAreRefusedNamingTheField() {
        assertThatThrownBy(() -> IpPolicy.builder().maxConnectionsPerIp(-1).build()).hasMessageContaining("maxConnectionsPerIp");
        assertThatThrownBy(() -> IpPolicy.builder().maxNewConnectionsPerSecondPerIp(-0.5).build())
                .hasMessageContaining("maxNewConnectionsPerSecondPerIp");
        assertThatThrownBy(() -> IpPolicy.builder().maxTrackedIps(0).build()).hasMessageContaining("maxTrackedIps");
        assertThatThrownBy(() -> IpPolicy.builder().allow("10.0.0.0/99")).hasMessageContaining("bad CIDR \"10.0.0.0/99\"");
    }
}
