package io.skypack.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.registry.FakeSchemaRegistry;
import io.skypack.registry.SchemaRegistryClient;
import io.skypack.registry.SchemaRegistryConfig;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

/** The one-line messages of the start-up check; {@code SecureClusterIT} runs it against real services. */
class ClusterCheckTest {
    private static final String PASSWORD = "pw-never-printed-42";

    private static PipelineConfig config(String jaas) throws IOException {
        return PipelineConfig.load(
                "replay",
                null,
                Map.of(),
                Map.of(
                        "bootstrap.servers", "kafka:9093",
                        "security.protocol", "SASL_SSL",
                        "sasl.mechanism", "SCRAM-SHA-512",
                        "sasl.jaas.config", jaas));
    }

    @Test
    void shouldNameTheSaslUserMechanismAndBrokerWhenAuthenticationFails() throws IOException {
        PipelineConfig c = config("org.apache.kafka.common.security.scram.ScramLoginModule required username=\"uav-7\""
                + " password=\"" + PASSWORD + "\";");

        String message = ClusterCheck.kafkaFailure(
                "Kafka at kafka:9093 (SASL_SSL)",
                c,
                new SaslAuthenticationException("Authentication failed during authentication due to invalid"
                        + " credentials with SASL mechanism SCRAM-SHA-512"));

        assertTrue(
                message.startsWith("Kafka at kafka:9093 (SASL_SSL) rejected SASL user 'uav-7' (SCRAM-SHA-512):"
                        + " authentication failed"),
                message);
        assertFalse(message.contains(PASSWORD), message);
    }

    @Test
    void shouldReadTheUserNameQuotedOrNotAndNothingElseOfTheJaasLine() throws IOException {
        assertEquals("a b", ClusterCheck.user(config("X required username=\"a b\" password=\"" + PASSWORD + "\";")));
        assertEquals("bob", ClusterCheck.user(config("X required username=bob password=" + PASSWORD + ";")));
        assertEquals("(no username in sasl.jaas.config)", ClusterCheck.user(config("X required password=p;")));
    }

    @Test
    void shouldSayTheBrokerCertificateIsNotTrusted() throws IOException {
        SSLHandshakeException handshake = new SSLHandshakeException("PKIX path building failed");
        handshake.initCause(new CertificateException("unable to find valid certification path to requested target"));

        String message = ClusterCheck.kafkaFailure(
                "Kafka at kafka:9093 (SASL_SSL)",
                config("X required username=u password=p;"),
                new SslAuthenticationException("SSL handshake failed", handshake));

        assertTrue(
                message.startsWith("TLS handshake with Kafka at kafka:9093 (SASL_SSL) failed: the broker's certificate"
                        + " is not trusted (unable to find valid certification path"),
                message);
        assertTrue(message.contains("ssl.truststore.location"), message);
    }

    @Test
    void shouldSayTheRegistryRejectedTheCredentialsWithoutRetrying() throws IOException {
        try (FakeSchemaRegistry registry = FakeSchemaRegistry.start()) {
            registry.requireBasicAuth("uav-7", "right-password");
            SchemaRegistryClient client = new SchemaRegistryClient(SchemaRegistryConfig.builder(registry.url())
                    .basicAuth("uav-7", PASSWORD)
                    .build());

            IOException e = assertThrows(IOException.class, () -> ClusterCheck.registry(client));

            assertTrue(e.getMessage().contains("schema registry at " + registry.url()), e.getMessage());
            assertTrue(
                    e.getMessage().contains("(HTTP 401): the credentials of user 'uav-7' were rejected"),
                    e.getMessage());
            assertFalse(e.getMessage().contains(PASSWORD), e.getMessage());
            assertEquals(1, registry.requests().size(), "a rejected login is not retried");
        }
    }

    /** detect waits for a registry that is down; replay and live (and a 401 anywhere) end at once. */
    @Test
    void aRegistryThatDoesNotAnswerShouldOnlyBeWarnedAboutWhenTheCommandMayWaitForIt() throws IOException {
        try (FakeSchemaRegistry registry = FakeSchemaRegistry.start()) {
            SchemaRegistryClient client = new SchemaRegistryClient(SchemaRegistryConfig.builder(registry.url())
                    .retries(1)
                    .retryBackoff(java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(2))
                    .build());
            registry.failNext(2, 503);
            IOException e = assertThrows(IOException.class, () -> ClusterCheck.registry(client));
            assertTrue(e.getMessage().contains("HTTP 503"), e.getMessage());
            assertTrue(ClusterCheck.isOutage(e), "detect starts anyway");

            registry.requireBasicAuth("uav-7", "right-password");
            IOException denied = assertThrows(IOException.class, () -> ClusterCheck.registry(client));
            assertFalse(ClusterCheck.isOutage(denied), "rejected credentials end detect too");
        }
    }

    @Test
    void shouldStopTheApplicationWhenKafkaRejectsItsCredentialsAndReplaceTheThreadOtherwise() {
        assertEquals(
                StreamThreadExceptionResponse.SHUTDOWN_CLIENT,
                DetectorRuntime.onStreamThreadFailure(
                        new StreamsException(new SaslAuthenticationException("invalid credentials"))));
        assertEquals(
                StreamThreadExceptionResponse.REPLACE_THREAD,
                DetectorRuntime.onStreamThreadFailure(new StreamsException("task failed")));
    }
}
