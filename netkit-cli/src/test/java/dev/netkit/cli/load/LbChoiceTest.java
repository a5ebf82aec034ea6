package dev.netkit.cli.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netkit.core.balance.Strategy;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class LbChoiceTest {

    @Test
    void mapsTheCliNamesToTheStrategies() {
        assertThat(LbChoice.parse("round-robin").strategy()).isEqualTo(Strategy.ROUND_ROBIN);
        assertThat(LbChoice.parse("weighted").strategy()).isEqualTo(Strategy.WEIGHTED_ROUND_ROBIN);
        assertThat(LbChoice.parse("Least-Outstanding").strategy()).isEqualTo(Strategy.LEAST_OUTSTANDING);
    }

    @Test
    void namesAreUniqueAndRoundTrip() {
        assertThat(Arrays.stream(LbChoice.values()).map(LbChoice::cliName)).doesNotHaveDuplicates();
        for (LbChoice choice : LbChoice.values()) {
            assertThat(LbChoice.parse(choice.cliName())).isSameAs(choice);
            assertThat(choice.toString()).isEqualTo(choice.cliName());
        }
    }

    @Test
    void anUnknownNameIsRejectedListingTheAcceptedOnes() {
        assertThatThrownBy(() -> new LbChoice.Converter().convert("fastest"))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("'fastest'")
                .hasMessageContaining("round-robin, weighted, least-outstanding");
    }
}
