package dev.netkit.gateway.config;

/** A value written in the file by a fixed name (the enums of this package). */
interface Named {
    /** The name in the file, e.g. {@code least-outstanding}. */
    String configName();
}
