/*
 * Design note: how the LoadBalancer is put together, who owns what, and why it is safe.
 *
 * LoadBalancer is a facade: its public methods forward to one of the package-private pieces
 * below (gRPC's LoadBalancer / SubchannelPicker split; Envoy's load balancer, outlier detector,
 * health checker and slow start).
 *
 *   request threads                                 control plane: Membership.lock, one ReentrantLock
 *   ---------------                                 ------------------------------------------------
 *   pick / pick(key) / pickOther / finished         add / remove / reweight / stats / close,
 *        |                                          healthChanged / checkPassed, timers, callbacks
 *        v                                                   |
 *   +-----------+ 1 volatile read +----------------+         v
 *   | DataPlane |---------------->| Snapshot       |   +------------+   members (LinkedHashMap), closed
 *   +-----------+                 |  Picker, panic |   | Membership |   add (attach) / remove (detach)
 *     |       |                   +----------------+   +------------+   stats, close, tell(events)
 *     |       |                           ^                  |  builds and shares lock + members with:
 *     |       |        1 volatile write   |                  v
 *     |       |                 +-------------------+   +-----------------+  sweep timer, one timer
 *     |       |                 | SnapshotPublisher |<--| OutlierDetector |  per ejection (numbered)
 *     |       |                 |  weights, panic,  |<--| SlowStart       |  tick timer while ramping
 *     |       |                 |  strategy picker  |<--| HealthBreaker-  |  CircuitBreaker and
 *     |       |                 +-------------------+   |   Wiring        |  HealthCheckRunner callbacks
 *     |       |                       rebuildLocked     +-----------------+
 *     |       +-- consecutive failures >= threshold --> OutlierDetector.eject (takes the lock)
 *     v
 *   EndpointState (outstanding, outcome adders, peak EWMA), Member.consecutiveFailures,
 *   CircuitBreaker permits and outcomes: atomics and adders, no lock
 *
 * Who owns what:
 *  - Membership.lock guards the member map, Membership.closed, every Member field but the
 *    counters (ejected, activeHealthy, breakerOpen, inSlowStart, ejections, window starts, ...),
 *    SnapshotPublisher.panic and the timer handles of OutlierDetector and SlowStart. Member
 *    fields that timers and callbacks test before they lock (removed, ejected, ejections) are
 *    volatile.
 *  - DataPlane.snapshot is written only by SnapshotPublisher, under the lock, with one volatile
 *    write per change; request threads read it once per pick (pick(key) reads it again only when
 *    the sticky endpoint's breaker refuses and it falls back to pick()).
 *  - EndpointState's atomics and adders and Member.consecutiveFailures are written by request
 *    threads without a lock; the control plane only reads them (the sweep, stats).
 *  - Timers run on the injected Scheduler's thread: the outlier sweep (reschedules itself), the
 *    slow-start tick (at most one pending), one return timer per ejection, and the breaker's
 *    wait-in-open poke. Health checks run on their HealthCheckRunner's timers. Every timer task and
 *    every callback takes the lock before touching state.
 *
 * Why it is safe:
 *  - A snapshot is built completely under the lock and never changed after the volatile write, so
 *    a pick sees a consistent picker, and a member's breaker and EndpointState.member, set before
 *    the member's first snapshot is published, are visible to every request thread that finds it.
 *  - A rebuild loses nothing: snapshots share the members' EndpointStates; requests already sent
 *    to a removed or ejected endpoint finish on its state.
 *  - Nothing foreign runs under the lock but the attacher and the detacher (Builder.detach): each
 *    locked section collects its BalancerListener events as Runnables and Membership.tell runs
 *    them after unlocking, so a listener may call back into the balancer. The breaker tells its
 *    transitions outside its own lock, and the control plane never calls a breaker under its lock,
 *    so the two locks are never held in opposite orders.
 *  - Late signals do nothing: the ejection timer carries the ejection's number (Member.ejections)
 *    and lifts only that one; sweep and tick check closed; health and breaker listeners hold their
 *    Member, not its address, and check Member.removed, so they never touch a re-added member.
 */

/**
 * Load balancing, transport-agnostic: endpoints with weight and zone, and pickers built as
 * immutable snapshots (the control plane rebuilds them when membership or health changes; picks
 * read them without locks and without allocating).
 */
package dev.netkit.core.balance;
