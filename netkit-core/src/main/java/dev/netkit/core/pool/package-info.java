/*
 * Design note: how the pool's parts fit, who owns which state, and why it is safe.
 *
 * Parts. ConnectionPool is the public facade (API, lifecycle, close, stats). Each job is one
 * package-private class; all extend PoolPart (the shared collaborators as final fields) and reach
 * each other through the facade's final fields, never from a constructor.
 *
 *                         ConnectionPool  (facade: acquire/release API, start, close, stats)
 *                                |
 *        +-----------+-----------+-----------+------------+-------------+-----------+
 *        |           |           |           |            |             |           |
 *     LeaseBag   WaiterQueue   Dialer    DialBackoff   Retirement   Maintenance   WarmUps
 *     entries[]   waiters      dialing    failures,     retire,      idle, life-   warmUp()
 *     CAS borrow  acquire      plan/start retryAt,      finish       time, survi-  futures
 *     requite     dispatch     settle     refill delay, (once)       vor, refill
 *     closed      timeouts       |        kick timer                   |
 *     waitingCount               Dial                               Validations
 *        ^                    (one attempt)                         (share of idle)
 *        |
 *      Lease  (holds the bag: release goes straight to LeaseBag.endLease)
 *
 *     Outbox + Trampoline: what a locked section decided, carried out after unlocking.
 *     PoolNotifier: PoolListener calls (rare events), the leak warning.  PoolCounters: adders,
 *     wait histogram, the PoolStats snapshot.  PoolEntry: one connection's lease state machine.
 *
 * Where to change what: how dials back off -> DialBackoff; how many dials and when -> Dialer
 * (planDialsLocked); which connection a lease gets -> LeaseBag (leaseAvailable); who waits and
 * who is served first -> WaiterQueue (the order: WaitLine, FIFO or a FairQueue by class); idle, lifetime and refill -> Maintenance; background checks
 * -> Validations; how a connection leaves -> Retirement.
 *
 * Fast path (no lock, no clock). tryAcquire: ConnectionPool -> LeaseBag (one final field), read
 * `closed`, scan the copy-on-write `entries` array, CAS the entry's lease count (exclusive mode:
 * the first idle entry, so the hottest connections stay hot and the rest can time out; shared
 * mode: the least-loaded one), the cheap isUsable check, one Lease object. Release: Lease ->
 * LeaseBag.returnLease, a decrement plus one volatile read of `waitingCount`; the lock only when
 * someone waits. Nothing else on these paths allocates or reads a clock.
 *
 * Who owns which state.
 *
 *   lock-free, CAS      PoolEntry.leases (n -> n+1 below the limit; 0 -> CLOSED), PoolEntry.finished,
 *                       Lease.ended, Dial.settled / closeReported, a validation's settled flag,
 *                       Validations.validatingCount (atomic)
 *   volatile, written   LeaseBag.entries (replaced whole by addLocked/removeLocked), closed,
 *   under the lock,     waitingCount; Dialer.dialing; DialBackoff.consecutiveDialFailures, retryAt,
 *   read without it     lastDialFailureAt (isDown(), pending(), the maintenance pass)
 *   volatile, any       PoolEntry.retiring / retireReason / validating; touched (opaque)
 *   thread
 *   the one lock        WaiterQueue.waiters (a WaitLine), WarmUps' futures, DialBackoff's epoch, last error,
 *                       kick timer and refill deadline, Dialer.nextId, Maintenance's next pass
 *   maintenance pass    PoolEntry.lastUsedAt / lastValidatedAt (one pass at a time: each pass
 *   only                schedules the next, from the scheduler)
 *   scheduler timers    waiter timeouts, dial timeouts, the kick (backoff or refill delay ended),
 *                       the maintenance pass, validation timeouts, leak checks, and a close that
 *                       a locked section had to defer (LeaseBag.backOut)
 *
 * Why it is safe.
 *
 *   No lost wake-up. A would-be waiter first raises `waitingCount` (under the lock), then scans
 *   again; a releaser first decrements, then reads `waitingCount`. Both are volatile, so either
 *   the waiter sees the freed lease or the releaser sees the waiter and dispatches to it under the
 *   lock.
 *
 *   Nothing foreign runs under the lock. Locked sections fill an Outbox (leases to hand to
 *   waiters, waiters to fail, warm-ups to settle, dials to start) that is carried out after
 *   unlocking; connector, listener, validator and callers' callbacks only run unlocked. A lease
 *   backed out under the lock leaves its close to the scheduler.
 *
 *   A lease is never lost. A hand-off to a waiter that was cancelled or timed out meanwhile is
 *   released again (its counting undone), so it goes to the next waiter. An acquire timeout is a
 *   hard bound: the timer takes the waiter out of the queue before failing it.
 *
 *   Bounded hand-off recursion. A waiter's callback that releases at once hands the lease on from
 *   inside the hand-off; the Trampoline runs up to 16 nested hand-offs inline per thread and
 *   queues the rest for the outermost call, so thousands of waiters cannot overflow an I/O
 *   thread's stack, yet shallow chains are served at once.
 *
 *   Exactly once. A lease ends once (Lease.ended CAS); a connection closes once
 *   (PoolEntry.markFinished); a dial settles once (connected, failed or timed out); a validation
 *   settles once; close() flips `closed` under the lock, so only one caller drains the waiters.
 *   Retiring versus leasing: the retirer sets `retiring` then tries 0 -> CLOSED, a leaser CASes
 *   then re-checks `retiring` and backs out, so at least one sees the other (see PoolEntry).
 *   A peer close racing a dial's registration: Dial writes `closedEarly` then reads `entry`, the
 *   Dialer writes `entry` then reads `closedEarly` (see Dial).
 *
 *   maxTotal holds at the connector. Retirement closes a connection before removing it from
 *   `entries`; only then may a dial be planned in its place.
 *
 *   The backoff moves one step per outage. A dial remembers the failure epoch when planned; a
 *   failure of a dial planned before the current backoff step does not move it again.
 *
 * Time and timers come from the injected Ticker and Scheduler; tests drive them by hand.
 */
/**
 * Connection pooling: {@link dev.netkit.core.pool.ConnectionPool} (one endpoint) and
 * {@link dev.netkit.core.pool.PoolGroup} (one pool per endpoint), the
 * {@link dev.netkit.core.pool.Connector} and {@link dev.netkit.core.pool.Validator} SPIs, and
 * the pool's configuration, stats, listener and failures. Every other type here is internal.
 */
package dev.netkit.core.pool;
