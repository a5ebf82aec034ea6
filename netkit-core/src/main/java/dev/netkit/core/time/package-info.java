/** Injected time: {@link dev.netkit.core.time.Ticker} and a manual one for tests. */
package dev.netkit.core.time;
