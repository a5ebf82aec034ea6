package dev.netkit.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {
    private static final List<String> KEYS = List.of("endpoints", "lb", "local_zone", "max_in_flight", "health");

    @Test
    void suggestsTheNearestKeyForATypo() {
        assertThat(Suggestions.nearest("endpionts", KEYS)).contains("endpoints");
        assertThat(Suggestions.nearest("max-in-flight", KEYS)).as("- and _ alike").contains("max_in_flight");
        assertThat(Suggestions.nearest("LB", KEYS)).contains("lb");
        assertThat(Suggestions.nearest("helth", KEYS)).contains("health");
    }

    @Test
    void suggestsNothingForAnUnrelatedWord() {
        assertThat(Suggestions.nearest("colour", KEYS)).isEmpty();
        assertThat(Suggestions.nearest("upstream_connections", KEYS)).isEmpty();
    }

    @Test
    void distanceIsLevenshtein() {
        assertThat(Suggestions.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(Suggestions.distance("", "abc")).isEqualTo(3);
        assertThat(Suggestions.distance("abc", "abc")).isZero();
    }
}
