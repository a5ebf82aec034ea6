package dev.netkit.netty.transport;

/** Which Netty I/O transport to use. */
public enum TransportKind {
    /** Native epoll when this machine supports it, NIO otherwise. */
    AUTO,
    /** Linux native epoll; fails at start if it is not available. */
    EPOLL,
    /** The JDK's NIO selector: works everywhere. */
    NIO
}
