/** Retry delays: exponential backoff with jitter. */
package dev.netkit.core.backoff;
