/**
 * Load balancing, transport-agnostic: endpoints with weight and zone, and pickers built as
 * immutable snapshots (the control plane rebuilds them when membership or health changes; picks
 * read them without locks and without allocating).
 */
package dev.netkit.core.balance;
