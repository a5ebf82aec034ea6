package dev.netkit.core.event;

import dev.netkit.core.internal.BoundedMpscQueue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries {@link NetkitEvent}s from the components that publish them (I/O threads, timers) to
 * {@link EventListener}s, without ever blocking a publisher.
 *
 * <pre>{@code
 * EventBus events = EventBus.create();
 * events.subscribe(e -> log.info("{}", e));                          // every event but per-request ones
 * events.subscribe(latencies::record, Set.of(ResponseReceived.class)); // per-request events, by type
 * Broker broker = Broker.create(config, BrokerHooks.builder().events(events).build());
 * }</pre>
 *
 * <p><b>Delivery.</b> {@link #publish} puts the event in a bounded lock-free queue; one daemon
 * thread per bus (started with the first subscription) takes events out and calls each interested
 * listener in turn. When the queue is full the event is dropped and counted ({@link #dropped()}):
 * a slow listener loses events, it never slows the data path. A listener that throws is logged at
 * most once a second and counted ({@link #listenerFailures()}); the others still get the event.
 *
 * <p><b>Cost when nobody listens.</b> {@link #wants(Class)} is one volatile read and a lookup;
 * publishers check it (or {@link #active()}, {@link #wantsRequests()}) before creating an event, so
 * a bus without listeners costs no allocation. {@link #publish} checks again and discards, without
 * counting, events that no listener takes.
 *
 * <p><b>Per-request events</b> ({@link NetkitEvent#perRequest()}: {@link ResponseReceived},
 * {@link RequestFailed}) are one or more per request. Only a listener that names them in
 * {@link #subscribe(EventListener, Set)} gets them, and only then are they created at all.
 *
 * <p>Thread-safe. {@link #close()} stops the thread after delivering what was queued.
 */
public final class EventBus implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventBus.class);
    /** Default queue capacity: a few hundred KB at most, enough for bursts of connection churn. */
    public static final int DEFAULT_CAPACITY = 8192;
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final Listeners NONE = new Listeners(new Subscription[0], true);
    /** One bit per event type (the permitted records of {@link NetkitEvent}), for the wanted-types mask. */
    private static final ClassValue<Long> BIT = new ClassValue<>() {
        @Override
        protected Long computeValue(Class<?> type) {
            Class<?>[] all = NetkitEvent.class.getPermittedSubclasses();
            for (int i = 0; i < all.length; i++) {
                if (all[i] == type) {
                    return 1L << i;
                }
            }
            return 0L;
        }
    };

    private final String name;
    private final BoundedMpscQueue<NetkitEvent> queue;
    private final LongAdder dropped = new LongAdder();
    private volatile Listeners listeners = NONE;
    private volatile boolean consumerParked;
    private volatile boolean closed;
    private volatile long delivered; // written by the bus thread only
    private volatile long listenerFailures; // written by the bus thread only
    private Thread thread; // guarded by this
    // Log rate limiting: touched by the bus thread only.
    private long nextLogNanos = Long.MIN_VALUE;
    private long suppressedLogs;

    private EventBus(String name, int capacity) {
        this.name = Objects.requireNonNull(name, "name");
        this.queue = new BoundedMpscQueue<>(capacity);
    }

    /** A bus named {@code netkit-events} holding up to {@link #DEFAULT_CAPACITY} undelivered events. */
    public static EventBus create() {
        return create("netkit-events", DEFAULT_CAPACITY);
    }

    /**
     * A bus whose thread is named {@code name}, holding up to {@code capacity} undelivered events
     * (rounded up to a power of two).
     */
    public static EventBus create(String name, int capacity) {
        return new EventBus(name, capacity);
    }

    /**
     * Subscribes {@code listener} to every event except per-request ones.
     *
     * @return a handle to unsubscribe with
     */
    public Subscription subscribe(EventListener listener) {
        return add(new Subscription(this, Objects.requireNonNull(listener, "listener"), null));
    }

    /**
     * Subscribes {@code listener} to the events of the given types (record classes such as
     * {@code ResponseReceived.class}; {@code NetkitEvent.class} for all, per-request ones
     * included). Naming a per-request type makes publishers create those events.
     *
     * @throws IllegalArgumentException when {@code types} is empty
     */
    public Subscription subscribe(EventListener listener, Set<Class<? extends NetkitEvent>> types) {
        Objects.requireNonNull(listener, "listener");
        if (types.isEmpty()) {
            throw new IllegalArgumentException("types: empty (expected at least one event type)");
        }
        return add(new Subscription(this, listener, Set.copyOf(types)));
    }

    private synchronized Subscription add(Subscription s) {
        if (closed) {
            throw new IllegalStateException("event bus " + name + " is closed");
        }
        Subscription[] now = listeners.all;
        Subscription[] next = Arrays.copyOf(now, now.length + 1);
        next[now.length] = s;
        listeners = new Listeners(next, true);
        if (thread == null) {
            thread = Thread.ofPlatform().name(name).daemon(true).start(this::run);
        }
        return s;
    }

    private synchronized void remove(Subscription s) {
        List<Subscription> next = new ArrayList<>(Arrays.asList(listeners.all));
        if (next.remove(s)) {
            listeners = next.isEmpty() ? NONE : new Listeners(next.toArray(Subscription[]::new), !closed);
        }
    }

    /** Whether any listener is subscribed. One volatile read. */
    public boolean active() {
        return listeners.wanted != 0;
    }

    /** Whether a listener asked for per-request events ({@link NetkitEvent#perRequest()}). One volatile read. */
    public boolean wantsRequests() {
        return (listeners.wanted & REQUEST_BITS) != 0;
    }

    /**
     * Whether a listener takes events of {@code type}: publishers create an event only when this
     * is true. One volatile read and a class-keyed lookup.
     */
    public boolean wants(Class<? extends NetkitEvent> type) {
        return (listeners.wanted & BIT.get(type)) != 0;
    }

    /**
     * Queues {@code event} for the listeners. Never blocks: when the queue is full the event is
     * dropped and counted. Events no listener wants are discarded without being counted.
     */
    public void publish(NetkitEvent event) {
        if ((listeners.wanted & BIT.get(event.getClass())) == 0) {
            return; // no listener takes this type (or the bus is closed)
        }
        if (!queue.offer(event)) {
            dropped.increment();
            return;
        }
        // Read after the offer's volatile write: either the consumer sees the event before it
        // parks, or we see that it parked (a Dekker pair on two volatiles).
        if (consumerParked) {
            LockSupport.unpark(thread);
        }
    }

    /** Events dropped because the queue was full (listeners too slow for the event rate). */
    public long dropped() {
        return dropped.sum();
    }

    /** Events handed to listeners so far (each counted once, however many listeners took it). */
    public long delivered() {
        return delivered;
    }

    /** Calls to listeners that threw. */
    public long listenerFailures() {
        return listenerFailures;
    }

    /** Events queued and not yet delivered. */
    public int queued() {
        return queue.size();
    }

    /** Stops delivering: unsubscribes everyone, delivers what is queued, and ends the thread (waits up to a second). */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            // Publishers stop here; the listeners still get what is already queued.
            listeners = new Listeners(listeners.all, false);
            t = thread;
        }
        if (t == null) {
            return;
        }
        LockSupport.unpark(t);
        if (t != Thread.currentThread()) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "EventBus[" + name + ", listeners=" + listeners.all.length + ", queued=" + queued()
                + ", delivered=" + delivered + ", dropped=" + dropped() + "]";
    }

    // ---- the bus thread ----------------------------------------------------------------------

    private void run() {
        while (true) {
            NetkitEvent event = queue.poll();
            if (event != null) {
                deliver(event);
                continue;
            }
            if (closed) {
                break; // queue drained
            }
            consumerParked = true;
            if (queue.isEmpty() && !closed) {
                LockSupport.parkNanos(this, IDLE_PARK_NANOS);
            }
            consumerParked = false;
        }
        synchronized (this) {
            listeners = NONE;
        }
    }

    private void deliver(NetkitEvent event) {
        for (Subscription s : listeners.all) {
            if (s.accepts(event)) {
                try {
                    s.listener.onEvent(event);
                } catch (VirtualMachineError e) {
                    throw e;
                } catch (Throwable e) {
                    listenerFailures++; // the bus thread is the only writer
                    warn(s.listener, event, e);
                }
            }
        }
        delivered++;
    }

    private void warn(EventListener listener, NetkitEvent event, Throwable e) {
        long now = System.nanoTime();
        if (nextLogNanos != Long.MIN_VALUE && now - nextLogNanos < 0) {
            suppressedLogs++;
            return;
        }
        nextLogNanos = now + LOG_INTERVAL_NANOS;
        String suppressed = suppressedLogs == 0 ? "" : " (" + suppressedLogs + " similar failures not logged)";
        suppressedLogs = 0;
        log.warn("event listener {} failed on {}; the other listeners still got it{}", listener, event, suppressed, e);
    }

    private static final long ALL_BITS;
    private static final long REQUEST_BITS;

    static {
        long all = 0;
        long requests = 0;
        for (Class<?> type : NetkitEvent.class.getPermittedSubclasses()) {
            long bit = BIT.get(type);
            all |= bit;
            if (type == ResponseReceived.class || type == RequestFailed.class) {
                requests |= bit;
            }
        }
        ALL_BITS = all;
        REQUEST_BITS = requests;
    }

    /**
     * An immutable listener set with the mask of the event types they take, swapped as a whole:
     * publishers read one volatile.
     */
    private static final class Listeners {
        final Subscription[] all;
        final long wanted; // 0 once the bus is closed: publishers stop, queued events still go out

        Listeners(Subscription[] all, boolean open) {
            this.all = all;
            long w = 0;
            for (Subscription s : all) {
                w |= s.mask;
            }
            this.wanted = open ? w : 0;
        }
    }

    /** One listener's subscription to a bus; {@link #close()} unsubscribes it. */
    public static final class Subscription implements AutoCloseable {
        private final EventBus bus;
        private final EventListener listener;
        private final long mask; // the event types it takes

        private Subscription(EventBus bus, EventListener listener, Set<Class<? extends NetkitEvent>> types) {
            this.bus = bus;
            this.listener = listener;
            if (types == null) {
                mask = ALL_BITS & ~REQUEST_BITS;
            } else if (types.contains(NetkitEvent.class)) {
                mask = ALL_BITS;
            } else {
                long m = 0;
                for (Class<? extends NetkitEvent> type : types) {
                    m |= BIT.get(type);
                }
                mask = m;
            }
        }

        boolean accepts(NetkitEvent event) {
            return (mask & BIT.get(event.getClass())) != 0;
        }

        /** Unsubscribes; events already queued may still reach the listener. Idempotent. */
        @Override
        public void close() {
            bus.remove(this);
        }
    }
}
