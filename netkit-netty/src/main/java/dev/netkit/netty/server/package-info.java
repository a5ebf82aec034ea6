/**
 * The embeddable frame server: {@link dev.netkit.netty.server.FrameServer}, its
 * {@link dev.netkit.netty.server.FrameServerConfig} and the handler interfaces.
 */
package dev.netkit.netty.server;
