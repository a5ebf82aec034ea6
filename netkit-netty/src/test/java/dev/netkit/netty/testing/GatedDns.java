package dev.netkit.netty.testing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * A JDK name-resolver plug-in for tests (registered through META-INF/services): looking up
 * {@value #GATED_HOST} blocks until {@link #gate} opens, then answers loopback. Every other name
 * goes to the JDK's own resolver, so nothing else changes.
 */
public final class GatedDns extends InetAddressResolverProvider {
    /** The name whose lookup waits for the gate. */
    public static final String GATED_HOST = "gated.netkit.test";
    /** Replace before a test; count down to let the lookup answer. */
    public static volatile CountDownLatch gate = new CountDownLatch(0);

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                if (GATED_HOST.equals(host)) {
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new UnknownHostException(host + ": interrupted");
                    }
                    return Stream.of(InetAddress.getLoopbackAddress());
                }
                return builtin.lookupByName(host, policy);
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                return builtin.lookupByAddress(addr);
            }
        };
    }

    @Override
    public String name() {
        return "netkit-gated-test-dns";
    }
}
