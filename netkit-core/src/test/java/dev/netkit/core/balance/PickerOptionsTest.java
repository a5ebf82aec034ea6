package dev.netkit.core.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** PickerOptions: Envoy's defaults, and messages naming the field, the value and the limit. */
class PickerOptionsTest {
    @Test
    void defaultsAreEnvoys() {
        PickerOptions d = PickerOptions.defaults();
        assertThat(d).isEqualTo(new PickerOptions(1024, 8 * 1024 * 1024, 65_537));
        Picker maglev = Strategy.MAGLEV.picker(TestEndpoints.equal(3));
        assertThat(((MaglevPicker) maglev).size()).isEqualTo(65_537);
        assertThat(maglev.pick(65_537L + 5)).as("keys wrap at the table size").isSameAs(maglev.pick(5L));
        assertThat(((RingHashPicker) Strategy.RING_HASH.picker(TestEndpoints.equal(3))).size()).isEqualTo(3 * 1024);
    }

    @Test
    void outOfRangeValuesAreRefused() {
        assertThatThrownBy(() -> new PickerOptions(0, 1024, 65_537)).hasMessage("ringMinSize: 0 (expected: 1..8388608)");
        assertThatThrownBy(() -> new PickerOptions(1024, 1000, 65_537))
                .hasMessage("ringMaxSize: 1000 (expected: ringMinSize 1024..8388608)");
        assertThatThrownBy(() -> new PickerOptions(1024, 8388609, 65_537))
                .hasMessage("ringMaxSize: 8388609 (expected: ringMinSize 1024..8388608)");
        assertThatThrownBy(() -> new PickerOptions(1024, 4096, 1)).hasMessage("maglevTableSize: 1 (expected: 2..5000011)");
        assertThatThrownBy(() -> new PickerOptions(1024, 4096, 5_000_012))
                .hasMessage("maglevTableSize: 5000012 (expected: 2..5000011)");
    }

    @Test
    void aCompositeMaglevTableSizeIsRefusedSuggestingThePrimeAfterIt() {
        assertThatThrownBy(() -> new PickerOptions(1024, 4096, 65_536))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maglevTableSize: 65536 (expected: a prime; the next is 65537)");
        assertThatThrownBy(() -> new PickerOptions(1024, 4096, 5_000_009)).hasMessageContaining("the next is 5000011");
        assertThat(new PickerOptions(16, 16, 2).maglevTableSize()).isEqualTo(2);
        assertThat(PickerOptions.isPrime(5_000_011)).isTrue();
        assertThat(PickerOptions.isPrime(65_537)).isTrue();
        assertThat(PickerOptions.isPrime(9)).isFalse();
    }

    @Test
    void customOptionsReachThePickers() {
        PickerOptions small = new PickerOptions(16, 1000, 101);
        RingHashPicker ring = (RingHashPicker) Strategy.RING_HASH.picker(TestEndpoints.equal(4), small);
        assertThat(ring.size()).isEqualTo(64);
        MaglevPicker maglev = (MaglevPicker) Strategy.MAGLEV.picker(TestEndpoints.equal(4), small);
        assertThat(maglev.size()).isEqualTo(101);
    }
}
