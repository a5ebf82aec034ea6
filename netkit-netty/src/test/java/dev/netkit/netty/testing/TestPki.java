package dev.netkit.netty.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates for TLS tests, made with BouncyCastle and written as PEM files (chain, PKCS#8 key)
 * into a test's temporary folder: a CA, and leaves it signs with the names and validity a test
 * needs (expired, not yet valid, for another host, from another CA).
 *
 * <pre>{@code
 * TestPki.Ca ca = TestPki.ca("test CA");
 * TestPki.Files server = ca.issue("server").dns("localhost").ip("127.0.0.1").write(dir);
 * }</pre>
 */
public final class TestPki {
    private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

    private TestPki() {}

    /** Paths of a written certificate: its chain (leaf first, then the CA) and key. */
    public record Files(Path chain, Path key, X509Certificate certificate) {}

    /** A new self-signed CA, valid from an hour ago for a day. */
    public static Ca ca(String name) {
        KeyPair keys = keys();
        X509Certificate cert = sign(new X500Name("CN=" + name), keys, new X500Name("CN=" + name), keys.getPublic(),
                Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1)), true, List.of());
        return new Ca(keys, cert);
    }

    /** A certificate authority that issues leaves. */
    public static final class Ca {
        private final KeyPair keys;
        private final X509Certificate certificate;

        private Ca(KeyPair keys, X509Certificate certificate) {
            this.keys = keys;
            this.certificate = certificate;
        }

        public X509Certificate certificate() {
            return certificate;
        }

        /** Writes the CA certificate (for {@code caCertificates}). */
        public Path write(Path dir, String file) throws IOException {
            return java.nio.file.Files.writeString(dir.resolve(file), pem(certificate));
        }

        /** Starts a leaf with subject {@code CN=cn}, valid from an hour ago for a day, no names yet. */
        public Leaf issue(String cn) {
            return new Leaf(this, cn);
        }
    }

    /** A leaf being described; {@link #write} signs and writes it. */
    public static final class Leaf {
        private final Ca ca;
        private final String cn;
        private final List<GeneralName> names = new ArrayList<>();
        private Instant notBefore = Instant.now().minus(Duration.ofHours(1));
        private Instant notAfter = Instant.now().plus(Duration.ofDays(1));

        private Leaf(Ca ca, String cn) {
            this.ca = ca;
            this.cn = cn;
        }

        public Leaf dns(String name) {
            names.add(new GeneralName(GeneralName.dNSName, name));
            return this;
        }

        public Leaf ip(String address) {
            names.add(new GeneralName(GeneralName.iPAddress, address));
            return this;
        }

        public Leaf uri(String uri) {
            names.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
            return this;
        }

        public Leaf valid(Instant from, Instant to) {
            notBefore = from;
            notAfter = to;
            return this;
        }

        /** Signs it and writes {@code <cn>.chain.pem} (leaf, CA) and {@code <cn>.key.pem} (PKCS#8). */
        public Files write(Path dir) throws IOException {
            KeyPair leafKeys = keys();
            X509Certificate cert = sign(new X500Name(ca.certificate.getSubjectX500Principal().getName()), ca.keys,
                    new X500Name("CN=" + cn), leafKeys.getPublic(), notBefore, notAfter, false, names);
            String base = cn.replaceAll("[^A-Za-z0-9.-]", "_");
            Path chain = java.nio.file.Files.writeString(dir.resolve(base + ".chain.pem"), pem(cert) + pem(ca.certificate));
            Path key = java.nio.file.Files.writeString(dir.resolve(base + ".key.pem"), pem(leafKeys.getPrivate()));
            return new Files(chain, key, cert);
        }
    }

    private static KeyPair keys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(X500Name issuer, KeyPair issuerKeys, X500Name subject, java.security.PublicKey key,
                                        Instant from, Instant to, boolean isCa, List<GeneralName> names) {
        try {
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                    Date.from(from), Date.from(to), subject, key);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            if (isCa) {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            }
            if (!names.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            }
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** PEM text of a certificate or a key (keys as PKCS#8, 'BEGIN PRIVATE KEY'). */
    public static String pem(Object o) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o instanceof java.security.PrivateKey k ? new org.bouncycastle.util.io.pem.PemObject("PRIVATE KEY", k.getEncoded()) : o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }
}
