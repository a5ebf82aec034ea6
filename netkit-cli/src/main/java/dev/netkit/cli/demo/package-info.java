/** The pieces of {@code netkit demo}: embedded backends it can kill and restart, and how it judges a failover. */
package dev.netkit.cli.demo;
