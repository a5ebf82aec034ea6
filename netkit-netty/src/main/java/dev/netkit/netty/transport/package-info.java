/** Transport selection (native epoll or NIO) and I/O thread defaults. */
package dev.netkit.netty.transport;
