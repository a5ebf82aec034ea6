package dev.netkit.cli.tls;

import dev.netkit.netty.tls.TlsConfig.Mode;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code none}, {@code self-signed} or {@code verified}. */
final class TlsModes implements ITypeConverter<Mode> {
    @Override
    public Mode convert(String value) {
        return switch (value) {
            case "none" -> Mode.NONE;
            case "self-signed" -> Mode.SELF_SIGNED;
            case "verified" -> Mode.VERIFIED;
            default -> throw new TypeConversionException("'" + value + "' (expected: none, self-signed or verified)");
        };
    }
}
