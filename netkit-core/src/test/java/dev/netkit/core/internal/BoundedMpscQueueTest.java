package dev.netkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class BoundedMpscQueueTest {

    @Test
    void refusesWhenFullAndReusesSlotsAfterPolls() {
        BoundedMpscQueue<Integer> q = new BoundedMpscQueue<>(3);
        assertThat(q.capacity()).isEqualTo(4);
        for (int i = 0; i < 4; i++) {
            assertThat(q.offer(i)).isTrue();
        }
        assertThat(q.offer(99)).isFalse();
        assertThat(q.size()).isEqualTo(4);
        assertThat(q.poll()).isEqualTo(0);
        assertThat(q.offer(4)).isTrue();
        List<Integer> out = new ArrayList<>();
        for (Integer e; (e = q.poll()) != null; ) {
            out.add(e);
        }
        assertThat(out).containsExactly(1, 2, 3, 4);
        assertThat(q.isEmpty()).isTrue();
    }

    @Test
    void manyProducersOneConsumerEveryElementOnceInEachProducersOrder() throws Exception {
        int producers = 4;
        int perProducer = 50_000;
        BoundedMpscQueue<long[]> q = new BoundedMpscQueue<>(64); // small: producers often find it full
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perProducer; i++) {
                    long[] e = {id, i};
                    while (!q.offer(e)) {
                        Thread.onSpinWait();
                    }
                }
            }));
        }
        start.countDown();
        long[] next = new long[producers];
        int received = 0;
        while (received < producers * perProducer) {
            long[] e = q.poll();
            if (e == null) {
                Thread.onSpinWait();
                continue;
            }
            assertThat(e[1]).as("producer %d in order", e[0]).isEqualTo(next[(int) e[0]]);
            next[(int) e[0]]++;
            received++;
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(q.poll()).isNull();
        assertThat(next).containsOnly(perProducer);
    }
}
