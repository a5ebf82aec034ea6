/** Addresses of the peers a client talks to. */
package dev.netkit.core.endpoint;
