/**
 * TLS configuration shared by servers, brokers, health probes and the gateway: {@link
 * dev.netkit.netty.tls.TlsConfig} (modes none / self-signed / verified, mTLS, SNI certificates,
 * versions, limits, provider, reload), the verified {@link dev.netkit.netty.tls.PeerIdentity}, the
 * {@link dev.netkit.netty.tls.TlsFailure} reasons counted in stats and events.
 */
package dev.netkit.netty.tls;
