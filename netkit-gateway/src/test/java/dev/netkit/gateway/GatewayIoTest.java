package dev.netkit.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.netkit.gateway.config.ConfigException;
import dev.netkit.gateway.config.GatewayConfig;
import dev.netkit.gateway.config.GatewayConfigParser;
import dev.netkit.gateway.testing.TcpBackend;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The {@code io:} section: the gateway runs on the transport the file names (or says at start
 * why it cannot), bytes flow through it, and a reload that would change the event loops is
 * refused while the running gateway keeps serving.
 */
class GatewayIoTest {
    private static final String YAML = """
            listeners:
              - name: l4
                bind: 127.0.0.1:0
                protocol: tcp
                cluster: pool
            clusters:
              - name: pool
                endpoints: [ "%s" ]
                health: { enabled: false }
            io: { threads: %d, transport: %s }
            """;

    private static GatewayConfig config(TcpBackend backend, int threads, String transport) {
        return GatewayAnetTest.parse(YAML.formatted(backend.address(), threads, transport));
    }

    private static String echoThrough(Gateway gateway, String text) throws Exception {
        InetSocketAddress at = gateway.address("l4");
        try (Socket s = new Socket(at.getAddress(), at.getPort())) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            byte[] sent = text.getBytes(StandardCharsets.UTF_8);
            out.write(sent);
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readNBytes(sent.length), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "nio", "epoll", "io_uring"})
    void theGatewayRunsOnTheNamedTransportOrSaysWhyItCannot(String transport) throws Exception {
        boolean available = switch (transport) {
            case "epoll" -> Epoll.isAvailable();
            case "io_uring" -> IoUring.isAvailable();
            default -> true;
        };
        try (TcpBackend backend = TcpBackend.echo()) {
            GatewayConfig config = config(backend, 2, transport);
            assertThat(config.io().threads()).isEqualTo(2);
            if (!available) {
                GatewayException e = catchThrowableOfType(GatewayException.class, () -> Gateway.start(config));
                assertThat(e).as("start on an unavailable transport").isNotNull();
                assertThat(e.getMessage()).startsWith("io.transport: ");
                return;
            }
            try (Gateway gateway = Gateway.start(config)) {
                String expected = transport.equals("auto") ? (Epoll.isAvailable() ? "epoll" : "nio") : transport;
                assertThat(gateway.transport()).isEqualTo(expected);
                assertThat(echoThrough(gateway, "through " + transport)).isEqualTo("through " + transport);
            }
        }
    }

    @Test
    void aReloadThatChangesTheEventLoopsIsRefusedAndTheGatewayServesOn() throws Exception {
        try (TcpBackend backend = TcpBackend.echo(); Gateway gateway = Gateway.start(config(backend, 1, "nio"))) {
            for (GatewayConfig next : new GatewayConfig[] {config(backend, 2, "nio"), config(backend, 1, "auto")}) {
                GatewayException e = catchThrowableOfType(GatewayException.class, () -> gateway.reload(next));
                assertThat(e).isNotNull();
                assertThat(e.getMessage()).startsWith("io: the event loops are fixed for the life of the process (running: threads 1, transport nio;");
                assertThat(gateway.config().io().threads()).isEqualTo(1);
                assertThat(echoThrough(gateway, "still here")).isEqualTo("still here");
            }
            gateway.reload(config(backend, 1, "nio")); // the same io: accepted
        }
    }

    @Test
    void badIoValuesNameTheKeyAndTheAllowedValues() {
        String base = """
                listeners:
                  - { name: l4, bind: 127.0.0.1:7200, protocol: tcp, cluster: pool }
                clusters:
                  - { name: pool, endpoints: [ "127.0.0.1:7001" ] }
                """;
        ConfigException transport = catchThrowableOfType(ConfigException.class,
                () -> new GatewayConfigParser().parse(base + "io: { transport: iouring }\n", "g.yaml"));
        assertThat(transport).isNotNull();
        assertThat(transport.path()).isEqualTo("io.transport");
        assertThat(transport.getMessage()).contains("auto, epoll, io_uring, nio");
        ConfigException threads = catchThrowableOfType(ConfigException.class,
                () -> new GatewayConfigParser().parse(base + "io: { threads: 0 }\n", "g.yaml"));
        assertThat(threads).isNotNull();
        assertThat(threads.path()).isEqualTo("io.threads");
        ConfigException typo = catchThrowableOfType(ConfigException.class,
                () -> new GatewayConfigParser().parse(base + "io: { thread: 2 }\n", "g.yaml"));
        assertThat(typo).isNotNull();
        assertThat(typo.getMessage()).contains("did you mean \"threads\"?");
    }
}
