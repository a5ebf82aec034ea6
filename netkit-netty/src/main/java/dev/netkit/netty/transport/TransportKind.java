package dev.netkit.netty.transport;

/** Which Netty I/O transport to use. */
public enum TransportKind {
    /** Native epoll when this machine supports it, NIO otherwise. */
    AUTO,
    /** Linux native epoll; fails at start if it is not available. */
    EPOLL,
    /** Linux io_uring (kernel 5.14+); fails at start if it is not available. Opt-in for now. */
    IO_URING,
    /** The JDK's NIO selector: works everywhere. */
    NIO
}
