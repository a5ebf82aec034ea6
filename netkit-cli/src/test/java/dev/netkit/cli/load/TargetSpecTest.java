package dev.netkit.cli.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netkit.core.balance.WeightedEndpoint;
import dev.netkit.core.endpoint.Endpoint;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TargetSpecTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1:7070            | 127.0.0.1 | 7070 | 1     | ''",
            "127.0.0.1:7070=3          | 127.0.0.1 | 7070 | 3     | ''",
            "127.0.0.1:7070@eu-west-1a | 127.0.0.1 | 7070 | 1     | eu-west-1a",
            "127.0.0.1:7070=10000@z_1  | 127.0.0.1 | 7070 | 10000 | z_1",
            "' host.example:80=2@a.b ' | host.example | 80 | 2   | a.b",
            "[::1]:9000=5@zone         | ::1       | 9000 | 5     | zone",
    })
    void acceptsEveryForm(String text, String host, int port, int weight, String zone) {
        assertThat(TargetSpec.parse(text)).isEqualTo(new WeightedEndpoint(new Endpoint(host, port), weight, zone, Map.of()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "localhost              | expected host:port",
            "127.0.0.1:x            | port is not a number",
            "127.0.0.1:70000        | 70000",
            "127.0.0.1:7070=0       | weight 0 is out of range 1..10000",
            "127.0.0.1:7070=10001   | weight 10001 is out of range 1..10000",
            "127.0.0.1:7070=heavy   | weight 'heavy' is not a whole number",
            "127.0.0.1:7070=        | weight '' is not a whole number",
            "127.0.0.1:7070=2@      | zone '' must be letters, digits",
            "127.0.0.1:7070=2@a/b   | zone 'a/b' must be letters, digits",
    })
    void rejectsNamingTheTargetAndTheProblem(String text, String problem) {
        assertThatThrownBy(() -> TargetSpec.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("target '" + text + "'")
                .hasMessageContaining(problem)
                .hasMessageContaining(TargetSpec.FORMS);
    }

    @Test
    void aTargetListedTwiceIsRejectedWhateverItsWeight() {
        assertThatThrownBy(() -> TargetSpec.parseAll(List.of("127.0.0.1:1=2", "127.0.0.1:2", "127.0.0.1:1@z")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("127.0.0.1:1 is listed twice");
    }

    @Test
    void keepsTheOrderGiven() {
        assertThat(TargetSpec.parseAll(List.of("127.0.0.1:2=3", "127.0.0.1:1")))
                .extracting(WeightedEndpoint::address, WeightedEndpoint::weight)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(new Endpoint("127.0.0.1", 2), 3),
                        org.assertj.core.groups.Tuple.tuple(new Endpoint("127.0.0.1", 1), 1));
    }
}
