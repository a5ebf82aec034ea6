package dev.netkit.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.core.balance.OutlierConfig;
import org.junit.jupiter.api.Test;

class EffectiveConfigTest {
    /** Every key of the file, none at its default. */
    static final String EVERY_KEY = """
            listeners:
              - name: anet-front
                bind: 0.0.0.0:7100
                protocol: anet
                routes:
                  - { match: { offset: 3, text: "GET" }, cluster: all-keys }
                  - { match: { prefix: "A0 ff" }, cluster: all-keys }
                  - cluster: all-keys
                hash_key: { offset: 1, length: 4 }
                on_failure: close
                max_connections: 500
                max_in_flight: 32
                max_concurrent_requests: 2000
                read_timeout: 3s
                idle_timeout: 90s
                write_timeout: 1500ms
                shutdown_timeout: 0s
                tcp_keep_alive: false
                tcp_no_delay: false
                ip_policy:
                  allow: [ 10.0.0.0/8, "2001:DB8::/32", 192.168.1.7, "::ffff:172.16.0.0/108" ]
                  deny: [ 10.66.0.0/16 ]
                  max_connections_per_ip: 20
                  max_new_connections_per_second_per_ip: 2.5
                  max_tracked_ips: 5000
              - name: tcp-front
                bind: "[::1]:7200"
                protocol: tcp
                cluster: all-keys
                lb: sticky
                sticky_ttl: 2h
                idle_timeout: 10us
                connect_timeout: 1.5s
                max_connections: 7
                proxy_protocol: v2
                ip_policy: { deny: [ "::1" ], max_new_connections_per_second_per_ip: 10 }
            clusters:
              - name: all-keys
                endpoints: [ "127.0.0.1:7001=5@z1", "localhost:7002@z2", "[::1]:7003" ]
                lb: maglev
                local_zone: z1
                zone_overload_threshold: 100
                panic_threshold: 0.25
                max_pick_effort: 3
                slow_start: { window: 20s, min_share: 0.5 }
                hashing: { ring_min_size: 64, ring_max_size: 4096, maglev_table_size: 251 }
                health: { enabled: false, interval: 3s, timeout: 2s, jitter: 0, healthy_threshold: 1,
                          unhealthy_threshold: 5, initially_healthy: false, probe: "are you there?" }
                outlier: { consecutive_failures: 0, failure_rate: 0.5, minimum_requests: 7, interval: 1m,
                           base_ejection: 5s, max_ejection: 50s, max_ejected_share: 1 }
                breaker: { enabled: false, failure_rate_threshold: 0.3, slow_call_rate_threshold: 0.9,
                           slow_call_duration: 800ms, window_type: count, window_size: 50, minimum_calls: 50,
                           wait_in_open: 1m, permitted_calls_in_half_open: 3 }
                retry: { max_attempts: 4, backoff_base: 10ms, backoff_max: 1s, retry_on: [ timeout, connection_lost ],
                         budget_ttl: 30s, budget_min_retries_per_second: 0, budget_percent_can_retry: 1.5 }
                timeouts: { request: 800ms, connect: 200ms, close: 0s }
                upstream:
                  connections: 6
                  min_connections: 3
                  max_in_flight: 1
                  max_pending: 0
                  acquire_timeout: 2s
                  max_concurrent_dials: 2
                  dial_backoff: { initial: 10ms, multiplier: 3, jitter: 0.5, max: 30s }
                  redial_delay_max: 0s
                  idle_timeout: 0s
                  max_lifetime: 1h
                  lifetime_jitter: 0.5
                  validation_probe_hex: "00"
                  validation_interval: 5s
                  validation_timeout: 100ms
                  validation_share: 1
                  maintenance_interval: 250ms
                  leak_detection_threshold: 10s
                  tcp_no_delay: false
              - name: quiet
                endpoints: [ "127.0.0.1:8001" ]
                outlier: { enabled: false }
            admin: { bind: 0.0.0.0:9000 }
            """;

    private static GatewayConfig parse(String yaml, String name) {
        return new GatewayConfigParser().parse(yaml, name);
    }

    private static void assertRoundTrips(GatewayConfig config) {
        String printed = config.toYaml();
        GatewayConfig again = parse(printed, "effective.yaml");
        assertThat(again).as(printed).isEqualTo(config);
        assertThat(again.toYaml()).as("printing is stable").isEqualTo(printed);
    }

    @Test
    void theSketchRoundTrips() throws Exception {
        assertRoundTrips(GatewayConfig.load(GatewayConfigParserTest.sketch()));
    }

    @Test
    void aMinimalFileRoundTripsWithEveryDefaultWritten() {
        GatewayConfig config = parse(GatewayConfigParserTest.MINIMAL, "gateway.yaml");
        assertRoundTrips(config);
        String printed = config.toYaml();
        assertThat(printed)
                .contains("    routes:\n      - cluster: backends\n")
                .contains("    on_failure: drop\n")
                .contains("    max_in_flight: 256\n")
                .contains("    lb: round-robin\n")
                .contains("      enabled: true\n      interval: 2s\n      timeout: 1s\n      jitter: 0.1\n")
                .contains("      consecutive_failures: 5\n")
                .contains("      retry_on:\n        - pool_closed\n        - connection_lost\n")
                .contains("      request: 5s\n      connect: 3s\n")
                .contains("      connections: 1\n      min_connections: 0\n")
                .contains("admin:\n  bind: 127.0.0.1:9901\n")
                .contains("    ip_policy:\n      allow: []\n      deny: []\n      max_connections_per_ip: 0\n"
                        + "      max_new_connections_per_second_per_ip: 0\n      max_tracked_ips: 100000\n")
                .doesNotContain("probe_hex").doesNotContain("hash_key");
    }

    @Test
    void everyKeyAwayFromItsDefaultRoundTrips() {
        GatewayConfig config = parse(EVERY_KEY, "gateway.yaml");
        assertThat(config.clusters().get(1).balancer().outlier()).isEqualTo(OutlierConfig.disabled());
        assertRoundTrips(config);
        assertThat(config.toYaml())
                .contains("bind: '[::1]:7200'").contains("idle_timeout: 10us").contains("connect_timeout: 1500ms")
                .contains("prefix: '474554'")
                .contains("      allow:\n        - 10.0.0.0/8\n        - 2001:db8::/32\n        - 192.168.1.7/32\n        - 172.16.0.0/12\n")
                .contains("max_new_connections_per_second_per_ip: 2.5\n").contains("max_new_connections_per_second_per_ip: 10\n").contains("probe: are you there?").contains("validation_probe_hex: '00'").contains("outlier:\n      enabled: false\n");
    }
}
