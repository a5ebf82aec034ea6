package dev.netkit.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.core.balance.BalancerConfig;
import dev.netkit.core.balance.Strategy;
import dev.netkit.core.health.HealthCheckConfig;
import dev.netkit.core.ip.IpPolicy;
import dev.netkit.core.retry.RetryPolicy;
import dev.netkit.netty.client.BrokerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's complete example parses, and the defaults it writes out are the library's. */
class ReadmeExampleTest {
    private static String example() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int section = readme.indexOf("### Gateway configuration");
        int start = readme.indexOf("```yaml\n", section) + "```yaml\n".length();
        return readme.substring(start, readme.indexOf("```\n", start));
    }

    @Test
    void theReadmeExampleParsesAndItsWrittenOutDefaultsAreTheLibrarys() throws Exception {
        GatewayConfig config = new GatewayConfigParser().parse(example(), "README.md");
        ClusterConfig all = config.cluster("hsm-all").orElseThrow();
        ClusterConfig fast = config.cluster("hsm-fast").orElseThrow();

        assertThat(all.balancer()).isEqualTo(BalancerConfig.defaults().withStrategy(Strategy.LEAST_OUTSTANDING));
        assertThat(all.health()).isEqualTo(new HealthConfig(true, HealthCheckConfig.defaults(), Payload.ofText("ping")));
        assertThat(all.retry()).isEqualTo(RetryPolicy.defaults());
        assertThat(all.pool()).isEqualTo(BrokerConfig.defaultPool());
        assertThat(all.validationProbe()).isEqualTo(Payload.ofText("v"));
        assertThat(all.requestTimeout()).isEqualTo(fast.requestTimeout());
        assertThat(all.closeTimeout()).isEqualTo(fast.closeTimeout());
        assertThat(all.tcpNoDelay()).isEqualTo(fast.tcpNoDelay());

        AnetListenerConfig anet = (AnetListenerConfig) config.listener("hsm-front").orElseThrow();
        assertThat(anet.limits()).isEqualTo(ServerLimits.defaults());
        assertThat(anet.onFailure()).isEqualTo(OnFailure.DROP);
        assertThat(anet.ipPolicy()).isEqualTo(IpPolicy.builder().allow("127.0.0.0/8, 10.0.0.0/8, ::1").deny("10.66.0.0/16").build());
        TcpListenerConfig tcp = (TcpListenerConfig) config.listener("tcp-front").orElseThrow();
        assertThat(tcp.stickyTtl()).isEqualTo(java.time.Duration.ofMinutes(TcpListenerConfig.DEFAULT_STICKY_TTL_MINUTES));
        assertThat(tcp.idleTimeout()).isEqualTo(ServerLimits.defaults().idleTimeout());
        assertThat(tcp.connectTimeout()).isEqualTo(config.cluster("tcp-pool").orElseThrow().connectTimeout());
        assertThat(tcp.maxConnections()).isEqualTo(ServerLimits.defaults().maxConnections());
        assertThat(tcp.proxyProtocol()).isEqualTo(ProxyProtocol.NONE);
        assertThat(tcp.ipPolicy()).isEqualTo(IpPolicy.builder().maxConnectionsPerIp(100).maxNewConnectionsPerSecondPerIp(20).build());
        assertThat(config.admin()).isEqualTo(AdminConfig.defaults());
    }
}
