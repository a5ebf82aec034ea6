/** {@code netkit udp-load}: a UDP load driver with verified echoes, loss and latency percentiles. */
package dev.netkit.cli.udp;
