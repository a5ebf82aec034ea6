package dev.netkit.netty.internal.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class CorrelationIdsTest {
    @Test
    void countsUpFromOneLikeAnet() {
        CorrelationIds ids = new CorrelationIds();
        assertThat(ids.next(id -> true)).as("no check before the first wrap").isEqualTo(1);
        assertThat(ids.next(id -> true)).isEqualTo(2);
    }

    @Test
    void afterWrappingSkipsIdsStillInUse() {
        CorrelationIds ids = new CorrelationIds(0xFFFFFFFE);
        Set<Integer> inUse = Set.of(0, 1, 3);
        assertThat(ids.next(inUse::contains)).isEqualTo(0xFFFFFFFE);
        assertThat(ids.next(inUse::contains)).isEqualTo(0xFFFFFFFF);
        assertThat(ids.next(inUse::contains)).as("0 and 1 are in flight").isEqualTo(2);
        assertThat(ids.next(inUse::contains)).as("3 is in flight").isEqualTo(4);
    }

    @Test
    void theLastIdIsAlsoCheckedOnLaterWraps() {
        CorrelationIds ids = new CorrelationIds(0xFFFFFFFF);
        assertThat(ids.next(id -> false)).isEqualTo(0xFFFFFFFF); // first wrap
        CorrelationIds again = new CorrelationIds(0xFFFFFFFE);
        again.next(id -> false);
        again.next(id -> false);
        // now wrapped: pretend we came all the way round to 0xFFFFFFFF while it is still in flight
        CorrelationIds round = new CorrelationIds(0xFFFFFFFF);
        round.next(id -> false);
        assertThat(round.next(id -> id == 0)).isEqualTo(1);
    }

    @Test
    void idsBelowTheCounterWereIssuedUntilTheFirstWrap() {
        CorrelationIds ids = new CorrelationIds();
        ids.next(id -> false);
        ids.next(id -> false); // 1, 2 issued
        assertThat(ids.issuedBeforeWrap(1)).isTrue();
        assertThat(ids.issuedBeforeWrap(2)).isTrue();
        assertThat(ids.issuedBeforeWrap(3)).as("not yet").isFalse();
        assertThat(ids.issuedBeforeWrap(0)).as("0 comes only after a wrap").isFalse();
        assertThat(ids.issuedBeforeWrap(-5)).isFalse();
        CorrelationIds wrapped = new CorrelationIds(-1);
        wrapped.next(id -> false);
        assertThat(wrapped.issuedBeforeWrap(7)).as("after a wrap the id alone tells nothing").isFalse();
    }
}
