package dev.netkit.core.qos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Shares by weight, strict priority with its starvation bound, capacities, and bad policies. */
class FairQueueTest {
    private static QosPolicy policy(String strict, int bound, QosClass... classes) {
        return new QosPolicy(List.of(classes), classes[classes.length - 1].name(), strict, bound);
    }

    @Test
    void sharesFollowTheWeightsUnderRandomizedContention() {
        long seed = System.nanoTime();
        System.out.println("FairQueueTest seed " + seed);
        Random random = new Random(seed);
        FairQueue<Integer> q = new FairQueue<>(policy(null, 1,
                new QosClass("gold", 6, 1_000), new QosClass("silver", 3, 1_000), new QosClass("bronze", 1, 1_000)));
        int[] served = new int[3];
        for (int cls = 0; cls < 3; cls++) {
            for (int i = 0; i < 50; i++) {
                q.offer(cls, cls); // backlogged from the start
            }
        }
        // 2x overload: each class alone arrives at 2/3 of the service rate, in random bursts, so all
        // three stay backlogged (DRR's shares hold while classes are backlogged); some offers meet a
        // full class and are refused, as they would be.
        for (int round = 0; round < 20_000; round++) {
            for (int k = random.nextInt(7); k > 0; k--) {
                int cls = random.nextInt(3);
                q.offer(cls, cls);
            }
            Integer next = q.poll();
            assertThat(next).as("seed %d: the queue stays backlogged", seed).isNotNull();
            served[next]++;
        }
        int total = served[0] + served[1] + served[2];
        assertThat(served[0] / (double) total).as("seed %d", seed).isCloseTo(0.6, org.assertj.core.data.Offset.offset(0.01));
        assertThat(served[1] / (double) total).as("seed %d", seed).isCloseTo(0.3, org.assertj.core.data.Offset.offset(0.01));
        assertThat(served[2] / (double) total).as("seed %d", seed).isCloseTo(0.1, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void aLoneClassIsServedInArrivalOrderAndIdleClassesEarnNothing() {
        FairQueue<String> q = new FairQueue<>(policy(null, 1, new QosClass("a", 5, 10), new QosClass("b", 1, 10)));
        q.offer(1, "b1");
        q.offer(1, "b2");
        q.offer(1, "b3");
        assertThat(q.peek()).isEqualTo("b1");
        assertThat(List.of(q.poll(), q.poll())).containsExactly("b1", "b2");
        // "a" arrives: it was idle, so it gets its weight per round from now on, no banked credit.
        for (int i = 0; i < 6; i++) {
            q.offer(0, "a" + i);
        }
        List<String> order = new ArrayList<>();
        while (!q.isEmpty()) {
            assertThat(q.peek()).as("peek agrees with poll").isEqualTo(peekThenPoll(q, order));
        }
        assertThat(order).containsExactly("a0", "a1", "a2", "a3", "a4", "b3", "a5");
    }

    private static String peekThenPoll(FairQueue<String> q, List<String> order) {
        String p = q.poll();
        order.add(p);
        return p;
    }

    @Test
    void strictClassGoesFirstButOthersGetOneAfterTheStarvationBound() {
        FairQueue<String> q = new FairQueue<>(new QosPolicy(List.of(new QosClass("control", 1, 100),
                new QosClass("bulk", 1, 100)), "bulk", "control", 3));
        for (int i = 0; i < 3; i++) {
            q.offer(1, "bulk" + i);
        }
        for (int i = 0; i < 8; i++) {
            q.offer(0, "ctl" + i);
        }
        List<String> order = new ArrayList<>();
        while (!q.isEmpty()) {
            order.add(q.poll());
        }
        assertThat(order).containsExactly("ctl0", "ctl1", "ctl2", "bulk0", "ctl3", "ctl4", "ctl5", "bulk1", "ctl6", "ctl7",
                "bulk2");
    }

    @Test
    void strictAloneIsNotCountedAgainstLaterArrivals() {
        FairQueue<String> q = new FairQueue<>(new QosPolicy(List.of(new QosClass("control", 1, 100),
                new QosClass("bulk", 1, 100)), "bulk", "control", 2));
        for (int i = 0; i < 5; i++) {
            q.offer(0, "ctl" + i);
        }
        assertThat(List.of(q.poll(), q.poll(), q.poll())).containsExactly("ctl0", "ctl1", "ctl2");
        q.offer(1, "bulk0");
        assertThat(List.of(q.poll(), q.poll(), q.poll())).as("the run restarts when others begin to wait")
                .containsExactly("ctl3", "ctl4", "bulk0");
    }

    @Test
    void aFullClassRefusesWithItsNameLimitAndDepth() {
        FairQueue<String> q = new FairQueue<>(policy(null, 1, new QosClass("gold", 2, 2), new QosClass("bronze", 1, 1)));
        assertThat(q.offer(1, "x")).isTrue();
        assertThat(q.offer(1, "y")).isFalse();
        assertThat(q.fullMessage(1)).isEqualTo("qos class 'bronze' is full: 1 waiting (capacity 1)");
        assertThat(q.offer(0, "g")).as("other classes unaffected").isTrue();
        assertThat(q.size()).isEqualTo(2);
        assertThat(q.remove(1, "x")).isTrue();
        assertThat(q.remove(1, "x")).isFalse();
        assertThat(q.offer(1, "y")).isTrue();
        assertThat(q.drain()).containsExactlyInAnyOrder("g", "y");
        assertThat(q.poll()).isNull();
    }

    @Test
    void badPoliciesAreNamed() {
        assertThatThrownBy(() -> new QosClass("bulk", 0, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("qos class 'bulk': weight 0 (expected: >= 1; a class with weight 0 would never be served)");
        assertThatThrownBy(() -> new QosClass("bulk", 1, 0)).hasMessage("qos class 'bulk': capacity 0 (expected: >= 1)");
        assertThatThrownBy(() -> new QosClass(" ", 1, 1)).hasMessage("qos class name: ' ' (expected: non-blank)");
        QosClass a = new QosClass("a", 1, 1);
        assertThatThrownBy(() -> new QosPolicy(List.of(a, a), "a", null, 1)).hasMessage("qos class 'a': defined twice");
        assertThatThrownBy(() -> new QosPolicy(List.of(a), "b", null, 1))
                .hasMessage("defaultClass: 'b' is not a qos class (expected one of [a])");
        assertThatThrownBy(() -> new QosPolicy(List.of(a), "a", "z", 1))
                .hasMessage("strictClass: 'z' is not a qos class (expected one of [a])");
        assertThatThrownBy(() -> new QosPolicy(List.of(a), "a", null, 0)).hasMessage("starvationBound: 0 (expected: >= 1)");
        assertThatThrownBy(() -> new QosPolicy(List.of(a), "a", null, 1).indexOf("gold"))
                .hasMessage("qos class 'gold': unknown (expected one of [a])");
    }
}
