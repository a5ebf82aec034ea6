/** The fleet limit's Redis client and script; internal, may change at any time. */
package dev.netkit.netty.internal.fleet;
