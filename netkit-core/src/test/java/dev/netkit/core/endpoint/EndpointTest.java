package dev.netkit.core.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointTest {
    @Test
    void parsesHostPortListsAndBracketedIpv6() {
        assertThat(Endpoint.parse("127.0.0.1:7070")).isEqualTo(new Endpoint("127.0.0.1", 7070));
        assertThat(Endpoint.parse(" localhost:1 ")).isEqualTo(new Endpoint("localhost", 1));
        assertThat(Endpoint.parse("[::1]:9000")).isEqualTo(new Endpoint("::1", 9000));
        assertThat(new Endpoint("::1", 9000)).hasToString("[::1]:9000");
        assertThat(Endpoint.parseList("a:1, b:2,")).containsExactly(new Endpoint("a", 1), new Endpoint("b", 2));
    }

    @Test
    void rejectsMalformedTextNamingIt() {
        for (String bad : List.of("nohost", ":80", "host:", "host:http")) {
            assertThatThrownBy(() -> Endpoint.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + bad + "'");
        }
        assertThatThrownBy(() -> Endpoint.parse("h:0")).hasMessage("port: 0 (expected: 1..65535)");
        assertThatThrownBy(() -> Endpoint.parse("h:65536")).hasMessage("port: 65536 (expected: 1..65535)");
        assertThatThrownBy(() -> Endpoint.parseList(" , ")).hasMessageContaining("expected host:port");
    }
}
