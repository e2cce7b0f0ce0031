package io.skypack.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class SchemaRegistryConfigTest {

    @Test
    void shouldMaskEveryPasswordInToString() {
        SchemaRegistryConfig config = SchemaRegistryConfig.builder("https://registry:8081/")
                .basicAuth("alice", "basic-pw")
                .truststore(Path.of("/etc/tls/trust.p12"), "trust-pw", "PKCS12")
                .keystore(Path.of("/etc/tls/client.p12"), "store-pw", "PKCS12", "key-pw")
                .build();

        String text = config.toString();

        for (String secret : new String[] {"basic-pw", "trust-pw", "store-pw", "key-pw"}) {
            assertFalse(text.contains(secret), text);
        }
        assertTrue(text.contains("user=alice:[hidden]"), text);
        assertTrue(text.contains("url=https://registry:8081,"), text);
        assertTrue(text.contains("/etc/tls/trust.p12"), text);
    }

    @Test
    void shouldReadConfluentPropertyNames() {
        SchemaRegistryConfig config = SchemaRegistryConfig.fromMap(Map.of(
                "schema.registry.url", "http://apicurio:8080/apis/ccompat/v7",
                "basic.auth.user.info", "svc:pw:with:colons",
                "schema.registry.retries", "2",
                "schema.registry.retry.backoff.ms", "50",
                "auto.register.schemas", "false",
                "bootstrap.servers", "kafka:9092"));

        assertEquals("http://apicurio:8080/apis/ccompat/v7", config.url().toString());
        assertEquals("svc", config.user());
        assertEquals("svc:pw:with:colons", config.userInfo());
        assertEquals(2, config.retries());
        assertEquals(Duration.ofMillis(50), config.retryBackoff());
        assertFalse(config.autoRegister());
        assertNull(config.truststore());
    }

    @Test
    void shouldNameTheKeyOfAMissingOrInvalidValue() {
        ConfigException missing = assertThrows(ConfigException.class, () -> SchemaRegistryConfig.fromMap(Map.of()));
        ConfigException invalid = assertThrows(
                ConfigException.class,
                () -> SchemaRegistryConfig.fromMap(
                        Map.of("schema.registry.url", "http://r", "schema.registry.retries", "-1")));
        ConfigException scheme = assertThrows(ConfigException.class, () -> SchemaRegistryConfig.builder("ftp://r")
                .build());
        ConfigException userInfo = assertThrows(
                ConfigException.class,
                () -> SchemaRegistryConfig.fromMap(
                        Map.of("schema.registry.url", "http://r", "basic.auth.user.info", "no-colon-secret")));

        assertTrue(missing.getMessage().contains("schema.registry.url"), missing.getMessage());
        assertTrue(invalid.getMessage().contains("schema.registry.retries"), invalid.getMessage());
        assertTrue(scheme.getMessage().contains("schema.registry.url"), scheme.getMessage());
        assertTrue(userInfo.getMessage().contains("basic.auth.user.info"), userInfo.getMessage());
        assertFalse(userInfo.getMessage().contains("no-colon-secret"), userInfo.getMessage());
    }

    @Test
    void shouldNotShowCredentialsOfAnInvalidUrl() {
        ConfigException e =
                assertThrows(ConfigException.class, () -> SchemaRegistryConfig.builder("http://u:top secret@r:x")
                        .build());

        assertFalse(e.getMessage().contains("top secret"), e.getMessage());
    }
}
