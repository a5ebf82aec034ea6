package dev.netkit.cli.tls;

import dev.netkit.netty.tls.TlsConfig.Version;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code 1.2} or {@code 1.3}. */
final class TlsVersions implements ITypeConverter<Version> {
    @Override
    public Version convert(String value) {
        return switch (value) {
            case "1.2" -> Version.TLS_1_2;
            case "1.3" -> Version.TLS_1_3;
            default -> throw new TypeConversionException("'" + value + "' (expected: 1.2 or 1.3; nothing older is offered)");
        };
    }
}
