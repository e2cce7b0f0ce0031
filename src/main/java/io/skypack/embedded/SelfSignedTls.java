package io.skypack.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed server certificate for {@code localhost} and {@code 127.0.0.1}, made at run time for
 * the embedded broker and the tests' TLS endpoints: a PKCS12 keystore with the key and certificate,
 * and a PKCS12 truststore holding only the certificate, for clients. Both stores get random
 * passwords; nothing here is meant for production.
 *
 * <p>The key pair is made by the JDK's {@code keytool} (in {@code java.home}; the JDK has no public
 * API that signs a certificate), the truststore with {@link KeyStore}.
 */
public final class SelfSignedTls {
    /** Store type of both files; Kafka's clients and {@code SchemaRegistryConfig} read it when told. */
    public static final String STORE_TYPE = "PKCS12";

    private static final String ALIAS = "localhost";

    private final Path keystore;
    private final String keystorePassword;
    private final Path truststore;
    private final String truststorePassword;

    private SelfSignedTls(Path keystore, String keystorePassword, Path truststore, String truststorePassword) {
        this.keystore = keystore;
        this.keystorePassword = keystorePassword;
        this.truststore = truststore;
        this.truststorePassword = truststorePassword;
    }

    /**
     * Makes {@code server.p12} and {@code truststore.p12} in {@code dir}: an EC P-256 key, valid for
     * two days, subject {@code CN=localhost}, alternative names {@code localhost} and {@code 127.0.0.1}
     * (so clients verify the host name as they do by default).
     *
     * @throws IOException when keytool is missing or fails, or a store cannot be written
     */
    public static SelfSignedTls generate(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path keystore = dir.resolve("server.p12");
        Path truststore = dir.resolve("truststore.p12");
        String keyPassword = randomPassword();
        String trustPassword = randomPassword();
        // keytool reads the password from its environment, not from its command line (visible in ps).
        keytool(
                keyPassword,
                "-genkeypair",
                "-alias",
                ALIAS,
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-validity",
                "2",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=dns:localhost,ip:127.0.0.1",
                "-storetype",
                STORE_TYPE,
                "-keystore",
                keystore.toString(),
                "-storepass:env",
                "SKYPACK_KEYTOOL_PASSWORD",
                "-keypass:env",
                "SKYPACK_KEYTOOL_PASSWORD");
        try {
            KeyStore keys = load(keystore, keyPassword);
            Certificate cert = keys.getCertificate(ALIAS);
            KeyStore trust = KeyStore.getInstance(STORE_TYPE);
            trust.load(null, null);
            trust.setCertificateEntry(ALIAS, cert);
            try (OutputStream out = Files.newOutputStream(truststore)) {
                trust.store(out, trustPassword.toCharArray());
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot make the truststore " + truststore + ": " + e.getMessage(), e);
        }
        return new SelfSignedTls(keystore, keyPassword, truststore, trustPassword);
    }

    /** The server's keystore: its key (same password as the store) and certificate. */
    public Path keystore() {
        return keystore;
    }

    public String keystorePassword() {
        return keystorePassword;
    }

    /** A truststore with the certificate alone, for clients. */
    public Path truststore() {
        return truststore;
    }

    public String truststorePassword() {
        return truststorePassword;
    }

    /** A server-side TLS context presenting this certificate. */
    public SSLContext serverContext() throws IOException {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load(keystore, keystorePassword), keystorePassword.toCharArray());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use the keystore " + keystore + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "SelfSignedTls{keystore=" + keystore + ", truststore=" + truststore + ", passwords=[hidden]}";
    }

    // ---------------------------------------------------------------------------------------------

    private static KeyStore load(Path file, String password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(STORE_TYPE);
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password.toCharArray());
        }
        return store;
    }

    private static String randomPassword() {
        byte[] b = new byte[12];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static void keytool(String password, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("SKYPACK_KEYTOOL_PASSWORD", password);
        try {
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("keytool did not finish within 60 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException("keytool " + args[0] + " failed (exit " + p.exitValue() + "): " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running keytool", e);
        }
    }
}
