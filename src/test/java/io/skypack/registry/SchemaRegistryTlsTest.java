package io.skypack.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.schema.Frame;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client over HTTPS, with a self-signed server certificate made by the JDK's keytool. */
class SchemaRegistryTlsTest {
    private static final String SERVER_PW = "server-store-pw";
    private static final String TRUST_PW = "trust-store-pw";

    @TempDir
    static Path dir;

    private static FakeSchemaRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        Path server = dir.resolve("server.p12");
        Path cert = dir.resolve("server.crt");
        keytool(
                "-genkeypair",
                "-alias",
                "registry",
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
                "PKCS12",
                "-keystore",
                server.toString(),
                "-storepass",
                SERVER_PW,
                "-keypass",
                SERVER_PW);
        keytool(
                "-exportcert",
                "-alias",
                "registry",
                "-keystore",
                server.toString(),
                "-storepass",
                SERVER_PW,
                "-file",
                cert.toString());
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "registry",
                "-file",
                cert.toString(),
                "-storetype",
                "PKCS12",
                "-keystore",
                dir.resolve("trust.p12").toString(),
                "-storepass",
                TRUST_PW);

        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(server)) {
            keys.load(in, SERVER_PW.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, SERVER_PW.toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        registry = FakeSchemaRegistry.startTls(ctx);
    }

    @AfterAll
    static void stop() {
        if (registry != null) registry.close();
    }

    @Test
    void shouldTrustTheRegistryThroughTheConfiguredTruststore() {
        SchemaRegistryClient client = new SchemaRegistryClient(SchemaRegistryConfig.fromMap(java.util.Map.of(
                "schema.registry.url",
                registry.url(),
                "schema.registry.ssl.truststore.location",
                dir.resolve("trust.p12").toString(),
                "schema.registry.ssl.truststore.password",
                TRUST_PW,
                "schema.registry.ssl.truststore.type",
                "PKCS12")));

        int id = client.register("uav.frames-value", Frame.getClassSchema());

        assertEquals(Frame.getClassSchema(), new SchemaRegistryClient(client.config()).schemaById(id));
    }

    @Test
    void shouldFailTheHandshakeWithoutTrustAndNotRetryIt() {
        SchemaRegistryClient client = new SchemaRegistryClient(
                SchemaRegistryClientTest.fastRetries(registry.url()).build());
        int before = registry.requests().size();

        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.schemaById(1));

        assertEquals(SchemaRegistryException.NO_RESPONSE, e.httpStatus());
        assertTrue(e.getMessage().contains("SSLHandshakeException"), e.getMessage());
        assertTrue(!e.getMessage().contains("gave up"), "a certificate problem is not retried: " + e.getMessage());
        assertEquals(before, registry.requests().size());
    }

    @Test
    void shouldNameTheKeyWhenTheTruststorePasswordIsWrong() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> new SchemaRegistryClient(SchemaRegistryConfig.builder(registry.url())
                        .truststore(dir.resolve("trust.p12"), "not-the-password", "PKCS12")
                        .build()));

        assertTrue(e.getMessage().contains(SchemaRegistryConfig.TRUSTSTORE_LOCATION), e.getMessage());
        assertTrue(!e.getMessage().contains("not-the-password"), e.getMessage());
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException("keytool " + String.join(" ", args) + " failed: " + output);
    }
}
