/**
 * netkit's unchecked exception hierarchy: one type per {@link dev.netkit.core.error.ErrorKind},
 * all extending {@link dev.netkit.core.error.NetkitException}.
 */
package dev.netkit.core.error;
