package io.skypack.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.embedded.SelfSignedTls;
import io.skypack.schema.Frame;
import java.nio.file.Path;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client over HTTPS, with a self-signed server certificate ({@link SelfSignedTls}, made by the JDK's keytool). */
class SchemaRegistryTlsTest {
    @TempDir
    static Path dir;

    private static SelfSignedTls tls;
    private static FakeSchemaRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        tls = SelfSignedTls.generate(dir);
        registry = FakeSchemaRegistry.startTls(tls.serverContext());
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
                tls.truststore().toString(),
                "schema.registry.ssl.truststore.password",
                tls.truststorePassword(),
                "schema.registry.ssl.truststore.type",
                SelfSignedTls.STORE_TYPE)));

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
                        .truststore(tls.truststore(), "not-the-password", SelfSignedTls.STORE_TYPE)
                        .build()));

        assertTrue(e.getMessage().contains(SchemaRegistryConfig.TRUSTSTORE_LOCATION), e.getMessage());
        assertTrue(!e.getMessage().contains("not-the-password"), e.getMessage());
    }
}
