package dev.netkit.core.event;

/** Which end of a connection reported an event. */
public enum Side {
    /** A client (a broker's pool) opened the connection. */
    CLIENT,
    /** A server accepted the connection. */
    SERVER
}
