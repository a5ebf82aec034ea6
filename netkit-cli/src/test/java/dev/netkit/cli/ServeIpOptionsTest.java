package dev.netkit.cli;

import static dev.netkit.netty.testing.RawClient.frame;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.netty.testing.RawClient;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** {@code netkit serve --allow/--deny/--max-connections-per-ip} in a real process, from several loopback IPs. */
@EnabledOnOs(OS.LINUX) // 127.0.0.2 and 127.0.0.3 are loopback addresses there without setup
class ServeIpOptionsTest {
    @TempDir
    Path tmp;

    private static void assertEchoes(RawClient c, int id) throws Exception {
        byte[] payload = ("p" + id).getBytes(StandardCharsets.US_ASCII);
        c.write(frame(id, payload));
        assertThat(c.readFrame()).isEqualTo(frame(id, payload));
    }

    @Test
    void theIpOptionsReachTheServer() throws Exception {
        try (ServeProcess serve = ServeProcess.start(0, tmp.resolve("stderr.txt"),
                List.of("--allow", "127.0.0.0/8,::1", "--deny", "127.0.0.2", "--max-connections-per-ip", "1"))) {
            InetSocketAddress server = new InetSocketAddress("127.0.0.1", serve.port());
            try (RawClient denied = RawClient.from("127.0.0.2", server);
                 RawClient ok = RawClient.from("127.0.0.3", server)) {
                assertThat(denied.closedByPeerWithin(5_000)).as(serve.stderr()).isTrue();
                assertEchoes(ok, 1);
                try (RawClient second = RawClient.from("127.0.0.3", server)) {
                    assertThat(second.closedByPeerWithin(5_000)).as("--max-connections-per-ip 1").isTrue();
                }
                assertEchoes(ok, 2);
            }
        }
    }

    @Test
    void aBadCidrIsOneLineNamingTheOptionAndTheEntry() {
        CliRun run = CliRun.execute(java.time.Duration.ofSeconds(20), "serve", "--port", "0", "--deny", "10.0.0.0/8,10.1.2.3/16");
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(2);
        assertThat(run.err().lines()).as(run.describe()).singleElement().asString()
                .startsWith("netkit serve: Invalid value for option '--deny'")
                .contains("bad CIDR \"10.1.2.3/16\": bits are set after the /16 prefix (did you mean 10.1.0.0/16?)");
    }
}
