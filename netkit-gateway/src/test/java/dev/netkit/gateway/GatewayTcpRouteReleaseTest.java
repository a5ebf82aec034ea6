package dev.netkit.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netkit.gateway.config.GatewayConfig;
import dev.netkit.gateway.internal.cluster.ClusterRuntime;
import dev.netkit.gateway.testing.TcpBackend;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/**
 * Every L4 listener has a balancer of its own in its cluster's runtime (with TCP-connect health
 * checks). A tcp listener that a reload removes or re-binds, or that a rejected reload bound
 * and closed again, must give it back: otherwise its health checks run forever and the cluster's
 * balancer list grows with every such reload.
 */
class GatewayTcpRouteReleaseTest {
    private static final String YAML = """
            listeners:
              - name: l4a
                bind: 127.0.0.1:0
                protocol: tcp
                cluster: pool
            %s
            clusters:
              - name: pool
                endpoints: [ "%s" ]
            """;

    private static String second(String bind) {
        return """
                  - name: l4b
                    bind: %s
                    protocol: tcp
                    cluster: pool
                """.formatted(bind);
    }

    private static ClusterRuntime pool(Gateway gateway) {
        return gateway.clusters().stream().filter(c -> c.name().equals("pool")).findFirst().orElseThrow();
    }

    @Test
    void aRemovedOrReboundTcpListenerReleasesItsBalancer() throws Exception {
        try (TcpBackend backend = TcpBackend.echo()) {
            GatewayConfig two = GatewayAnetTest.parse(YAML.formatted(second("127.0.0.1:0"), backend.address()));
            GatewayConfig twoElsewhere = GatewayAnetTest.parse(YAML.formatted(second("localhost:0"), backend.address()));
            GatewayConfig one = GatewayAnetTest.parse(YAML.formatted("", backend.address()));
            try (Gateway gateway = Gateway.start(two)) {
                assertThat(pool(gateway).connectionBalancers()).hasSize(2);
                for (int i = 0; i < 3; i++) {
                    gateway.reload(one);
                    assertThat(pool(gateway).connectionBalancers()).as("after removing l4b").hasSize(1);
                    gateway.reload(two);
                    assertThat(pool(gateway).connectionBalancers()).as("after adding l4b").hasSize(2);
                    gateway.reload(twoElsewhere);
                    assertThat(pool(gateway).connectionBalancers()).as("after re-binding l4b").hasSize(2);
                    gateway.reload(two);
                }
            }
        }
    }

    @Test
    void aRejectedReloadReleasesTheBalancersOfTheTcpListenersItBound() throws Exception {
        try (TcpBackend backend = TcpBackend.echo(); ServerSocket taken = new ServerSocket(0)) {
            GatewayConfig one = GatewayAnetTest.parse(YAML.formatted("", backend.address()));
            GatewayConfig portInUse = GatewayAnetTest.parse(YAML.formatted(second("127.0.0.1:" + taken.getLocalPort()),
                    backend.address()));
            try (Gateway gateway = Gateway.start(one)) {
                for (int i = 0; i < 3; i++) {
                    assertThatThrownBy(() -> gateway.reload(portInUse)).isInstanceOf(GatewayException.class);
                }
                assertThat(pool(gateway).connectionBalancers()).hasSize(1);
            }
        }
    }
}
