package dev.netkit.netty.internal.tls;

import dev.netkit.netty.tls.TlsSetupException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads PEM certificates and keys with errors that name the setting and the file, and checks that
 * a key belongs to its certificate (Netty's JDK provider would only find out at the first
 * handshake). BouncyCastle's parser, converted to JCA objects by the JDK's own providers.
 */
public final class PemFiles {
    private PemFiles() {}

    /** One or more certificates, in file order (a chain: leaf first). */
    public static List<X509Certificate> certificates(String setting, Path file) {
        List<X509Certificate> out = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (PEMParser parser = new PEMParser(open(setting, file))) {
            Object o;
            while ((o = parser.readObject()) != null) {
                if (o instanceof X509CertificateHolder holder) {
                    out.add(converter.getCertificate(holder));
                }
            }
        } catch (IOException | CertificateException | RuntimeException e) {
            throw fail(setting, file, "malformed PEM (" + e.getMessage() + ")", e);
        }
        if (out.isEmpty()) {
            throw fail(setting, file, "no certificate in it (expected: PEM blocks 'BEGIN CERTIFICATE')", null);
        }
        return out;
    }

    /** The first private key of the file: PKCS#8, or PKCS#1 / SEC1; never encrypted. */
    public static PrivateKey privateKey(String setting, Path file) {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (PEMParser parser = new PEMParser(open(setting, file))) {
            Object o;
            while ((o = parser.readObject()) != null) {
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair).getPrivate();
                }
                if (o instanceof PKCS8EncryptedPrivateKeyInfo || o instanceof PEMEncryptedKeyPair) {
                    throw fail(setting, file, "the key is encrypted (expected: an unencrypted PKCS#8 key, 'BEGIN PRIVATE KEY')", null);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof TlsSetupException t) {
                throw t;
            }
            throw fail(setting, file, "malformed PEM (" + e.getMessage() + ")", e);
        }
        throw fail(setting, file, "no private key in it (expected: a PEM block 'BEGIN PRIVATE KEY')", null);
    }

    /**
     * Fails unless {@code key} is the private half of {@code leaf}'s public key: signs a random
     * message with one and verifies it with the other.
     */
    public static void checkPair(PrivateKey key, X509Certificate leaf, String keySetting, Path keyFile, Path certFile) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> null;
        };
        boolean matches;
        try {
            if (algorithm == null) {
                matches = key.getAlgorithm().equals(leaf.getPublicKey().getAlgorithm());
            } else {
                byte[] message = new byte[32];
                new SecureRandom().nextBytes(message);
                Signature signer = Signature.getInstance(algorithm);
                signer.initSign(key);
                signer.update(message);
                byte[] signature = signer.sign();
                Signature verifier = Signature.getInstance(algorithm);
                verifier.initVerify(leaf.getPublicKey());
                verifier.update(message);
                matches = verifier.verify(signature);
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            matches = false;
        }
        if (!matches) {
            throw fail(keySetting, keyFile, "this " + key.getAlgorithm() + " key does not match the certificate "
                    + leaf.getSubjectX500Principal().getName() + " of " + certFile, null);
        }
    }

    private static Reader open(String setting, Path file) {
        try {
            return Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw fail(setting, file, "cannot read it (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
    }

    static TlsSetupException fail(String setting, Path file, String what, Throwable cause) {
        return new TlsSetupException(setting + " " + file + ": " + what, file, cause);
    }
}
