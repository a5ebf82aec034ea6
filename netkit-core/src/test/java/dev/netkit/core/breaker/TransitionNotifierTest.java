package dev.netkit.core.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransitionNotifierTest {
    private static BreakerTransition t(long seq) {
        return new BreakerTransition("e", seq, BreakerState.CLOSED, BreakerState.OPEN, "r" + seq);
    }

    @Test
    void aTransitionPublishedEarlyWaitsForItsPredecessor() {
        List<Long> seen = new ArrayList<>();
        TransitionNotifier n = new TransitionNotifier(x -> seen.add(x.sequence()));
        n.publish(t(2)); // its thread won the later CAS but published first
        assertThat(seen).isEmpty();
        n.publish(t(1));
        assertThat(seen).containsExactly(1L, 2L);
        n.publish(t(4));
        n.publish(t(3));
        assertThat(seen).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void aThrowingListenerStillGetsEveryLaterTransition() {
        List<Long> seen = new ArrayList<>();
        TransitionNotifier n = new TransitionNotifier(x -> {
            seen.add(x.sequence());
            throw new IllegalStateException("boom");
        });
        n.publish(t(1));
        n.publish(t(2));
        assertThat(seen).containsExactly(1L, 2L);
    }
}
