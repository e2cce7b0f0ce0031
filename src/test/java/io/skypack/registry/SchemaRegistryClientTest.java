package io.skypack.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.schema.Frame;
import io.skypack.schema.FrameDetections;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SchemaRegistryClientTest {
    private FakeSchemaRegistry registry;

    @BeforeEach
    void start() throws IOException {
        registry = FakeSchemaRegistry.start();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private SchemaRegistryClient client() {
        return new SchemaRegistryClient(fastRetries(registry.url()).build());
    }

    static SchemaRegistryConfig.Builder fastRetries(String url) {
        return SchemaRegistryConfig.builder(url).retries(3).retryBackoff(Duration.ofMillis(1), Duration.ofMillis(4));
    }

    @Test
    void shouldRegisterAndFetchSchemaByIdWithTheRegistryMediaType() {
        SchemaRegistryClient client = client();
        int id = client.register("uav.frames-value", Frame.getClassSchema());

        // A second client has an empty cache, so this goes over HTTP.
        Schema fetched = client().schemaById(id);

        assertEquals(Frame.getClassSchema(), fetched);
        assertEquals(SchemaRegistryClient.CONTENT_TYPE, registry.lastHeader("Content-Type"));
        assertTrue(registry.lastHeader("Accept").startsWith(SchemaRegistryClient.CONTENT_TYPE));
        assertEquals(
                List.of("POST /subjects/uav.frames-value/versions", "GET /schemas/ids/" + id), registry.requests());
    }

    @Test
    void shouldCallHttpOnceForTheSameSchemaOrId() {
        SchemaRegistryClient client = client();
        int id = client.register("uav.frames-value", Frame.getClassSchema());
        for (int i = 0; i < 10; i++) {
            assertEquals(id, client.register("uav.frames-value", Frame.getClassSchema()));
            assertEquals(id, client.lookup("uav.frames-value", Frame.getClassSchema()));
            assertEquals(Frame.getClassSchema(), client.schemaById(id));
        }
        int other = registry.put("uav.detections-value", FrameDetections.getClassSchema());
        for (int i = 0; i < 10; i++) client.schemaById(other);

        assertEquals(
                List.of("POST /subjects/uav.frames-value/versions", "GET /schemas/ids/" + other), registry.requests());
    }

    @Test
    void shouldShareOneRequestAmongConcurrentFirstLookups() throws Exception {
        int id = registry.put("uav.frames-value", Frame.getClassSchema());
        registry.latency(Duration.ofMillis(200));
        SchemaRegistryClient client = client();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Schema>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) results.add(pool.submit(() -> client.schemaById(id)));
            for (Future<Schema> f : results) assertEquals(Frame.getClassSchema(), f.get());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, registry.calls("GET /schemas/ids/"));
    }

    @Test
    void shouldLookUpWithoutRegistering() {
        int id = registry.put("uav.frames-value", Frame.getClassSchema());
        SchemaRegistryClient client = client();

        assertEquals(id, client.lookup("uav.frames-value", Frame.getClassSchema()));
        SchemaRegistryException e = assertThrows(
                SchemaRegistryException.class,
                () -> client.lookup("uav.frames-value", evolved(Frame.getClassSchema())));
        assertTrue(e.isSchemaNotFound(), e.getMessage());
        assertEquals(0, registry.calls("POST /subjects/uav.frames-value/versions"));
    }

    @Test
    void shouldReturnTheLatestVersionOfASubject() {
        SchemaRegistryClient client = client();
        client.register("uav.frames-value", Frame.getClassSchema());
        int v2 = client.register("uav.frames-value", evolved(Frame.getClassSchema()));

        RegisteredSchema latest = client.latest("uav.frames-value");

        assertEquals(new RegisteredSchema("uav.frames-value", 2, v2, evolved(Frame.getClassSchema())), latest);
    }

    @Test
    void shouldReportSubjectNotFoundAndSchemaNotFoundWithTheirCodes() {
        SchemaRegistryClient client = client();

        SchemaRegistryException subject = assertThrows(SchemaRegistryException.class, () -> client.latest("nope"));
        SchemaRegistryException schema = assertThrows(SchemaRegistryException.class, () -> client.schemaById(4711));

        assertEquals(404, subject.httpStatus());
        assertEquals(SchemaRegistryException.SUBJECT_NOT_FOUND, subject.errorCode());
        assertTrue(subject.isSubjectNotFound());
        assertTrue(subject.getMessage().contains("error_code 40401"), subject.getMessage());
        assertEquals(SchemaRegistryException.SCHEMA_NOT_FOUND, schema.errorCode());
        assertTrue(schema.isSchemaNotFound());
    }

    @Test
    void shouldRejectAnIncompatibleSchemaWith409AndSayItIsIncompatibleBeforehand() {
        SchemaRegistryClient client = client();
        client.setCompatibility("uav.frames-value", Compatibility.BACKWARD);
        client.register("uav.frames-value", Frame.getClassSchema());
        Schema withoutDefault =
                withField(Frame.getClassSchema(), "cameraModel", Schema.create(Schema.Type.STRING), null);

        assertTrue(client.isCompatible("uav.frames-value", evolved(Frame.getClassSchema())));
        assertFalse(client.isCompatible("uav.frames-value", withoutDefault));
        SchemaRegistryException e =
                assertThrows(SchemaRegistryException.class, () -> client.register("uav.frames-value", withoutDefault));

        assertEquals(409, e.httpStatus());
        assertTrue(e.isIncompatible());
        long registrations = registry.requests().stream()
                .filter("POST /subjects/uav.frames-value/versions"::equals)
                .count();
        assertEquals(2, registrations, "v1, then the incompatible one once: 409 is not retried");
    }

    @Test
    void shouldListTheSubjects() {
        SchemaRegistryClient client = client();
        assertEquals(List.of(), client.subjects());

        client.register("uav.frames-value", Frame.getClassSchema());

        assertEquals(List.of("uav.frames-value"), client.subjects());
        assertTrue(registry.requests().contains("GET /subjects"));
    }

    @Test
    void shouldSetTheCompatibilityOfASubject() {
        SchemaRegistryClient client = client();
        client.register("uav.frames-value", Frame.getClassSchema());
        Schema withoutDefault =
                withField(Frame.getClassSchema(), "cameraModel", Schema.create(Schema.Type.STRING), null);

        client.setCompatibility("uav.frames-value", Compatibility.NONE);

        assertTrue(registry.requests().contains("PUT /config/uav.frames-value"));
        assertTrue(client.isCompatible("uav.frames-value", withoutDefault));
    }

    @Test
    void shouldSendBasicAuthCredentials() {
        registry.requireBasicAuth("alice", "s3cret:with:colons");
        SchemaRegistryClient client = new SchemaRegistryClient(fastRetries(registry.url())
                .basicAuth("alice", "s3cret:with:colons")
                .build());

        client.register("uav.frames-value", Frame.getClassSchema());

        String expected = "Basic "
                + Base64.getEncoder().encodeToString("alice:s3cret:with:colons".getBytes(StandardCharsets.UTF_8));
        assertEquals(expected, registry.lastHeader("Authorization"));
    }

    @Test
    void shouldTakeCredentialsFromTheUrlAndDropThemFromIt() {
        registry.requireBasicAuth("bob", "pa ss");
        String url = registry.url().replace("://", "://bob:pa%20ss@");
        SchemaRegistryClient client = new SchemaRegistryClient(fastRetries(url).build());

        client.register("uav.frames-value", Frame.getClassSchema());

        assertEquals(registry.url(), client.config().url().toString());
        assertFalse(client.config().toString().contains("pa ss"));
    }

    @Test
    void shouldSayTheCredentialsWereRejectedOn401() {
        registry.requireBasicAuth("alice", "right");
        SchemaRegistryClient wrong = new SchemaRegistryClient(
                fastRetries(registry.url()).basicAuth("alice", "wrong").build());
        SchemaRegistryClient none = client();

        SchemaRegistryException e =
                assertThrows(SchemaRegistryException.class, () -> wrong.register("s", Frame.getClassSchema()));
        SchemaRegistryException missing =
                assertThrows(SchemaRegistryException.class, () -> none.register("s", Frame.getClassSchema()));

        assertEquals(401, e.httpStatus());
        assertTrue(e.getMessage().contains("the credentials of user 'alice' were rejected"), e.getMessage());
        assertFalse(e.getMessage().contains("wrong"), e.getMessage());
        assertTrue(missing.getMessage().contains("no credentials are configured"), missing.getMessage());
        assertEquals(2, registry.requests().size(), "401 is not retried");
    }

    @Test
    void shouldRetryOn503ThenSucceedWithOneLogLinePerRetry() {
        registry.failNext(2, 503);
        SchemaRegistryClient client = client();

        int id;
        String log;
        try (StderrCapture err = new StderrCapture()) {
            id = client.register("uav.frames-value", Frame.getClassSchema());
            log = err.text();
        }

        assertEquals(1, id);
        assertEquals(3, registry.calls("POST /subjects/uav.frames-value/versions"));
        List<String> retries = log.lines()
                .filter(l -> l.contains("Schema registry request failed"))
                .toList();
        assertEquals(2, retries.size(), log);
        assertTrue(retries.get(0).contains("HTTP 503") && retries.get(0).contains("retry 1/3"), retries.get(0));
        assertTrue(retries.get(1).contains("retry 2/3"), retries.get(1));
    }

    @Test
    void shouldGiveUpAfterTheConfiguredRetries() {
        registry.failNext(100, 500);
        SchemaRegistryClient client =
                new SchemaRegistryClient(fastRetries(registry.url()).retries(2).build());

        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.schemaById(1));

        assertEquals(500, e.httpStatus());
        assertTrue(e.getMessage().contains("gave up after 3 attempts"), e.getMessage());
        assertEquals(3, registry.requests().size());
    }

    @Test
    void shouldRetryConnectionErrorsAndReportTheRegistryUnreachable() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        SchemaRegistryClient client = new SchemaRegistryClient(
                fastRetries("http://localhost:" + closedPort).build());

        SchemaRegistryException e;
        String log;
        try (StderrCapture err = new StderrCapture()) {
            e = assertThrows(SchemaRegistryException.class, () -> client.schemaById(1));
            log = err.text();
        }

        assertEquals(SchemaRegistryException.NO_RESPONSE, e.httpStatus());
        assertTrue(e.isRetriable());
        assertTrue(
                e.getMessage().contains("unreachable") && e.getMessage().contains("ConnectException"), e.getMessage());
        assertEquals(3, log.lines().filter(l -> l.contains("retry ")).count(), log);
    }

    @Test
    void shouldNeverLogOrReportPasswords() {
        registry.failNext(2, 503);
        SchemaRegistryConfig config =
                fastRetries(registry.url()).basicAuth("alice", "pw-basic-123").build();
        SchemaRegistryClient client = new SchemaRegistryClient(config);

        String log;
        try (StderrCapture err = new StderrCapture()) {
            client.register("uav.frames-value", Frame.getClassSchema());
            log = err.text();
        }

        assertFalse(log.isEmpty());
        assertFalse(log.contains("pw-basic-123"), log);
        String authHeader = registry.lastHeader("Authorization").substring("Basic ".length());
        assertFalse(log.contains(authHeader), log);
        assertFalse(config.toString().contains("pw-basic-123"), config.toString());
    }

    @Test
    void shouldKeepThePathOfTheBaseUrl() {
        // Apicurio serves the Confluent API under /apis/ccompat/v7; the fake answers 404 to
        // unknown paths, which proves the prefix is sent.
        SchemaRegistryClient client = new SchemaRegistryClient(
                fastRetries(registry.url() + "/apis/ccompat/v7/").build());

        SchemaRegistryException e =
                assertThrows(SchemaRegistryException.class, () -> client.latest("uav.frames-value"));

        assertEquals(List.of("GET /apis/ccompat/v7/subjects/uav.frames-value/versions/latest"), registry.requests());
        assertEquals(404, e.httpStatus());
    }

    @Test
    void shouldEncodeSubjectsInThePath() {
        SchemaRegistryClient client = client();

        client.register("flights/zürich value", Frame.getClassSchema());

        assertEquals(List.of("POST /subjects/flights%2Fz%C3%BCrich%20value/versions"), registry.requests());
    }

    /** Frame with one more optional field: a BACKWARD-compatible next version. */
    static Schema evolved(Schema schema) {
        return withField(
                schema,
                "cameraModel",
                SchemaBuilder.unionOf().nullType().and().stringType().endUnion(),
                Schema.Field.NULL_DEFAULT_VALUE);
    }

    static Schema withField(Schema record, String name, Schema type, Object defaultValue) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : record.getFields()) fields.add(new Schema.Field(f, f.schema()));
        fields.add(new Schema.Field(name, type, "added in a later version", defaultValue));
        return Schema.createRecord(record.getName(), record.getDoc(), record.getNamespace(), false, fields);
    }
}
