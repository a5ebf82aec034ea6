package dev.netkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every command: a bad option or value is one line on stderr naming it, exit 2, no stack trace, no usage dump. */
class CliErrorsTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "serve --port 99999                 | netkit serve: port",
            "serve --port abc                   | netkit serve: Invalid value for option '--port'",
            "serve --no-such-option             | netkit serve: Unknown option: '--no-such-option'",
            "serve --read-timeout soon          | netkit serve: Invalid value for option '--read-timeout'",
            "serve --allow 10.0.0.0/33          | netkit serve: Invalid value for option '--allow'",
            "serve --allow 10.0.0.0/8,bad       | netkit serve: Invalid value for option '--allow'",
            "serve --deny 10.0.0.1/8            | netkit serve: Invalid value for option '--deny'",
            "serve --max-connections-per-ip -1  | netkit serve: --max-connections-per-ip",
            "serve --max-connections-per-ip x   | netkit serve: Invalid value for option '--max-connections-per-ip'",
            "load --connections 0               | netkit load: ",
            "load --lb fastest                  | netkit load: ",
            "gateway --check                    | netkit gateway: Missing required option: '--config=FILE'",
"udp-serve --mode mirror             | netkit udp-serve: Invalid value for option '--mode'",
            "udp-serve --max-datagram-size 70000 | netkit udp-serve: --max-datagram-size: 70000",
            "udp-serve --rate-per-source -5     | netkit udp-serve: --rate-per-source",
            "udp-load --size 64                 | netkit udp-load: Missing required option: '--target=HOST:PORT'",
            "udp-load --target nohostport       | netkit udp-load: --target: 'nohostport'",
            "udp-load --target 127.0.0.1:9 --size 8 | netkit udp-load: --size: 8",
            "udp-load --target 127.0.0.1:9 --sockets 0 | netkit udp-load: --sockets: 0",
            "frobnicate                         | netkit: Unmatched argument at index 0: 'frobnicate'",
    })
    void aBadOptionIsOneLineAndExitTwo(String args, String expectedStart) {
        CliRun run = CliRun.execute(Duration.ofSeconds(20), args.trim().split("\\s+"));
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(2);
        assertThat(run.err().lines()).as(run.describe()).singleElement().asString()
                .startsWith(expectedStart.trim()).doesNotContain("Exception").doesNotContain("\tat ");
    }
}
