package dev.netkit.netty.udp;

/**
 * Handles each datagram a {@link UdpServer} receives. Non-blocking handlers (the default, see
 * {@link UdpServer.Builder#handler} and {@link UdpServer.Builder#handlerPerThread}) run on the
 * I/O thread that received the datagram and must not block; {@link UdpServer.Builder#blockingHandler}
 * runs them on worker threads behind a bounded queue.
 *
 * <p>Flow ownership: on epoll each I/O thread has its own {@code SO_REUSEPORT} socket, and the
 * kernel hashes a source's (address, port) pair to one of them, so all datagrams of one source
 * reach the same thread while the set of sockets does not change. A handler made per thread
 * ({@link UdpServer.Builder#handlerPerThread}) can therefore keep per-source state without locks.
 * (The hash moves sources only when sockets are added or removed, that is at start and stop.)
 */
@FunctionalInterface
public interface DatagramHandler {
    /**
     * Handles one datagram. {@code datagram} and {@code responder} are valid only during the call.
     * An exception drops the datagram and is counted ({@code handler_error}); the server goes on.
     */
    void onDatagram(Datagram datagram, Responder responder) throws Exception;

    /** Answers every datagram with its own bytes. */
    static DatagramHandler echo() {
        return (datagram, responder) -> datagram.copyTo(responder.reply(datagram.length()));
    }

    /** Consumes every datagram and answers nothing. */
    static DatagramHandler sink() {
        return (datagram, responder) -> { };
    }
}
