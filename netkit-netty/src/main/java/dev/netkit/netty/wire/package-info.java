/** The anet-compatible frame format (wire format v1). */
package dev.netkit.netty.wire;
