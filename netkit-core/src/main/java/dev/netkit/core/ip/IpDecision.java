package dev.netkit.core.ip;

/**
 * What {@link IpAdmission#admit} decided about a client: an {@link IpPermit} to hold while its
 * connection is open, or an {@link IpRefusal} saying why it must be closed.
 *
 * <pre>{@code
 * switch (admission.admit(address)) {
 *     case IpPermit permit -> channel.closeFuture().addListener(f -> permit.release());
 *     case IpRefusal refusal -> { count(refusal); channel.close(); }
 * }
 * }</pre>
 */
public sealed interface IpDecision permits IpPermit, IpRefusal {}
