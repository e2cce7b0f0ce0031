package io.skypack.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of the Confluent Schema Registry REST API (also served by Apicurio's ccompat API,
 * Karapace and Redpanda), for Avro schemas.
 *
 * <p>Schema ids and schemas are immutable in a registry, so the client remembers every id it learned
 * (id to schema, and subject plus schema to id) for its lifetime: the serde hot path calls HTTP once
 * per schema, never per record, and concurrent first lookups of the same thing share one request.
 * Answers that can change ({@link #latest}, {@link #isCompatible}) are never cached.
 *
 * <p>Connection errors, timeouts, HTTP 429 and 5xx are retried with exponential backoff as
 * configured, with one log line per retry; TLS failures and every other answer fail at once. Every
 * failure is a {@link SchemaRegistryException} carrying the HTTP status and the registry's error code. Thread-safe.
 */
public final class SchemaRegistryClient {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryClient.class);

    /** The media type of the Confluent API, for request bodies. */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private static final String ACCEPT =
            CONTENT_TYPE + ", application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";
    private static final int MAX_BODY_IN_MESSAGE = 300;

    private final SchemaRegistryConfig config;
    private final HttpClient http;
    private final String authorization;
    private final ObjectMapper json = new ObjectMapper();
    private final ConcurrentMap<Integer, CompletableFuture<Schema>> schemasById = new ConcurrentHashMap<>();
    private final ConcurrentMap<SubjectSchema, CompletableFuture<Integer>> idsBySubjectSchema =
            new ConcurrentHashMap<>();

    private record SubjectSchema(String subject, Schema schema) {}

    /**
     * @throws ConfigException when the truststore or keystore cannot be loaded
     */
    public SchemaRegistryClient(SchemaRegistryConfig config) {
        this.config = config;
        HttpClient.Builder b = HttpClient.newBuilder()
                // HTTP/1.1: a plain-http h2c upgrade confuses some registries and proxies, and
                // registry traffic is a handful of requests per schema.
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER);
        SSLContext ssl = sslContext(config);
        if (ssl != null) b.sslContext(ssl);
        this.http = b.build();
        String userInfo = config.userInfo();
        this.authorization = userInfo == null
                ? null
                : "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    public SchemaRegistryConfig config() {
        return config;
    }

    /**
     * Registers {@code schema} under {@code subject} (a no-op when it is there already) and returns its
     * id. {@code POST /subjects/{subject}/versions}.
     *
     * @throws SchemaRegistryException {@link SchemaRegistryException#isIncompatible() 409} when the
     *     schema breaks the subject's compatibility rule, 42201 when it is invalid
     */
    public int register(String subject, Schema schema) {
        int id = memo(idsBySubjectSchema, new SubjectSchema(subject, schema), () -> send(
                        "POST", subjectPath(subject) + "/versions", schemaBody(schema))
                .path("id")
                .asInt());
        // The registry stores this very schema under id: reading our own records needs no lookup.
        schemasById.putIfAbsent(id, CompletableFuture.completedFuture(schema));
        return id;
    }

    /**
     * The id of {@code schema} when it is registered under {@code subject}; registers nothing. {@code
     * POST /subjects/{subject}}.
     *
     * @throws SchemaRegistryException 40401 when the subject does not exist, 40403 when the schema is
     *     not registered under it
     */
    public int lookup(String subject, Schema schema) {
        int id = memo(idsBySubjectSchema, new SubjectSchema(subject, schema), () -> send(
                        "POST", subjectPath(subject), schemaBody(schema))
                .path("id")
                .asInt());
        schemasById.putIfAbsent(id, CompletableFuture.completedFuture(schema));
        return id;
    }

    /**
     * The schema with this id. {@code GET /schemas/ids/{id}}.
     *
     * @throws SchemaRegistryException 40403 when the registry knows no such id
     * @throws org.apache.avro.SchemaParseException when the id names a schema that is not Avro, or
     *     that does not parse
     */
    public Schema schemaById(int id) {
        return memo(schemasById, id, () -> {
            JsonNode answer = send("GET", "/schemas/ids/" + id, null);
            return parseAvro("schema id " + id, answer);
        });
    }

    /**
     * The latest version of a subject. {@code GET /subjects/{subject}/versions/latest}; not cached.
     *
     * @throws SchemaRegistryException 40401 when the subject does not exist
     */
    public RegisteredSchema latest(String subject) {
        JsonNode answer = send("GET", subjectPath(subject) + "/versions/latest", null);
        Schema schema = parseAvro("latest version of subject '" + subject + "'", answer);
        return new RegisteredSchema(
                answer.path("subject").asText(subject),
                answer.path("version").asInt(),
                answer.path("id").asInt(),
                schema);
    }

    /**
     * Whether {@code schema} may be registered as the next version of {@code subject} under its
     * compatibility rule. {@code POST /compatibility/subjects/{subject}/versions/latest}; not cached.
     */
    public boolean isCompatible(String subject, Schema schema) {
        JsonNode answer =
                send("POST", "/compatibility" + subjectPath(subject) + "/versions/latest", schemaBody(schema));
        return answer.path("is_compatible").asBoolean(false);
    }

    /**
     * The registry's subjects. {@code GET /subjects}; not cached. Also the cheapest request that tells
     * whether the registry accepts this client's URL, TLS settings and credentials.
     */
    public List<String> subjects() {
        List<String> subjects = new ArrayList<>();
        send("GET", "/subjects", null).forEach(s -> subjects.add(s.asText()));
        return subjects;
    }

    /** Sets the compatibility rule of one subject. {@code PUT /config/{subject}}. */
    public void setCompatibility(String subject, Compatibility level) {
        ObjectNode body = json.createObjectNode().put("compatibility", level.name());
        send("PUT", "/config/" + encode(subject), body);
    }

    // ---------------------------------------------------------------------------------------------

    private ObjectNode schemaBody(Schema schema) {
        // No schemaType: AVRO is the default, and older registries reject the field.
        return json.createObjectNode().put("schema", schema.toString());
    }

    private static Schema parseAvro(String what, JsonNode answer) {
        String type = answer.path("schemaType").asText("AVRO");
        if (!"AVRO".equalsIgnoreCase(type)) {
            throw new org.apache.avro.SchemaParseException(what + " is a " + type + " schema, not Avro");
        }
        JsonNode text = answer.get("schema");
        if (text == null || !text.isTextual()) {
            throw new org.apache.avro.SchemaParseException("registry answer for " + what + " has no schema");
        }
        return new Schema.Parser().parse(text.asText());
    }

    private static String subjectPath(String subject) {
        return "/subjects/" + encode(subject);
    }

    private static String encode(String pathSegment) {
        if (pathSegment == null || pathSegment.isEmpty()) throw new IllegalArgumentException("subject is required");
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * One request with retries. Returns the parsed JSON body of a 2xx answer.
     *
     * @throws SchemaRegistryException for any other answer, or when no answer came after the retries
     */
    private JsonNode send(String method, String path, JsonNode body) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(config.url() + path))
                .timeout(config.requestTimeout())
                .header("Accept", ACCEPT);
        if (authorization != null) rb.header("Authorization", authorization);
        if (body == null) {
            rb.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            rb.header("Content-Type", CONTENT_TYPE);
            rb.method(method, HttpRequest.BodyPublishers.ofByteArray(bytes(body)));
        }
        HttpRequest request = rb.build();
        int attempts = config.retries() + 1;
        for (int attempt = 1; ; attempt++) {
            SchemaRegistryException failure;
            try {
                HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                int status = response.statusCode();
                if (status >= 200 && status < 300) return parseBody(method, path, status, response.body());
                failure = errorOf(method, path, status, response.body());
                if (!failure.isRetriable()) throw failure;
            } catch (IOException e) {
                failure = new SchemaRegistryException(
                        SchemaRegistryException.NO_RESPONSE,
                        SchemaRegistryException.NO_ERROR_CODE,
                        "schema registry at " + config.url() + " unreachable: " + method + " " + path + ": "
                                + describe(e),
                        e);
                // A certificate or protocol mismatch does not heal by waiting.
                if (causedBy(e, SSLException.class)) throw failure;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException(
                        SchemaRegistryException.NO_RESPONSE,
                        SchemaRegistryException.NO_ERROR_CODE,
                        "interrupted during " + method + " " + path,
                        e);
            }
            if (attempt >= attempts) {
                if (attempts == 1) throw failure;
                throw new SchemaRegistryException(
                        failure.httpStatus(),
                        failure.errorCode(),
                        failure.getMessage() + " (gave up after " + attempts + " attempts)",
                        failure.getCause());
            }
            long delay = backoffMillis(attempt);
            LOG.warn(
                    "Schema registry request failed: {}; retry {}/{} in {} ms",
                    failure.getMessage(),
                    attempt,
                    attempts - 1,
                    delay);
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException(
                        failure.httpStatus(),
                        failure.errorCode(),
                        "interrupted while retrying: " + failure.getMessage(),
                        e);
            }
        }
    }

    /** Exponential backoff with jitter (half fixed, half random) so restarted clients spread out. */
    private long backoffMillis(int retry) {
        long initial = config.retryBackoff().toMillis();
        long max = config.retryBackoffMax().toMillis();
        long base = initial << Math.min(retry - 1, 30);
        if (base < 0 || base > max) base = max;
        long half = base / 2;
        return half + (base - half == 0 ? 0 : ThreadLocalRandom.current().nextLong(base - half + 1));
    }

    private JsonNode parseBody(String method, String path, int status, byte[] body) {
        if (body.length == 0) return json.createObjectNode();
        try {
            return json.readTree(body);
        } catch (IOException e) {
            throw new SchemaRegistryException(
                    status,
                    SchemaRegistryException.NO_ERROR_CODE,
                    "schema registry " + method + " " + path + ": HTTP " + status + " with a body that is not JSON: "
                            + snippet(body),
                    e);
        }
    }

    private SchemaRegistryException errorOf(String method, String path, int status, byte[] body) {
        int code = SchemaRegistryException.NO_ERROR_CODE;
        String message = null;
        try {
            JsonNode error = json.readTree(body);
            if (error != null && error.isObject()) {
                code = error.path("error_code").asInt(SchemaRegistryException.NO_ERROR_CODE);
                message =
                        error.path("message").isTextual() ? error.get("message").asText() : null;
            }
        } catch (IOException notJson) {
            // A proxy or a server that is not a registry: keep the start of its body as the message.
        }
        if (message == null) message = snippet(body);
        if (status == 401) {
            String who = config.user() == null
                    ? "no credentials are configured (set " + SchemaRegistryConfig.BASIC_AUTH_USER_INFO + ")"
                    : "the credentials of user '" + config.user() + "' were rejected";
            return new SchemaRegistryException(
                    status,
                    code,
                    "schema registry at " + config.url() + " refused " + method + " " + path + " (HTTP 401): " + who
                            + "; registry says: " + message);
        }
        if (status == 403) {
            return new SchemaRegistryException(
                    status,
                    code,
                    "schema registry at " + config.url() + " forbids " + method + " " + path + " for user '"
                            + config.user() + "' (HTTP 403): " + message);
        }
        return new SchemaRegistryException(
                status,
                code,
                "schema registry " + method + " " + config.url() + path + ": HTTP " + status
                        + (code == SchemaRegistryException.NO_ERROR_CODE ? "" : " error_code " + code) + ": "
                        + message);
    }

    private byte[] bytes(JsonNode body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a request body", e);
        }
    }

    private static String snippet(byte[] body) {
        String s = new String(body, StandardCharsets.UTF_8).strip();
        return s.length() <= MAX_BODY_IN_MESSAGE ? s : s.substring(0, MAX_BODY_IN_MESSAGE) + "...";
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) return true;
        }
        return false;
    }

    /** The cause chain in one line: HttpClient's ConnectException often has no message of its own. */
    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (sb.length() > 0) sb.append(" <- ");
            sb.append(t.getClass().getSimpleName());
            if (t.getMessage() != null) sb.append(": ").append(t.getMessage());
        }
        return sb.toString();
    }

    /**
     * The cached value for {@code key}, loading it at most once at a time: concurrent callers wait for
     * the one load in progress. A failed load is forgotten, so the next call tries again.
     */
    private static <K, V> V memo(ConcurrentMap<K, CompletableFuture<V>> cache, K key, Supplier<V> load) {
        CompletableFuture<V> existing = cache.get(key);
        if (existing == null) {
            CompletableFuture<V> mine = new CompletableFuture<>();
            existing = cache.putIfAbsent(key, mine);
            if (existing == null) {
                try {
                    V value = load.get();
                    mine.complete(value);
                    return value;
                } catch (RuntimeException | Error e) {
                    cache.remove(key, mine);
                    mine.completeExceptionally(e);
                    throw e;
                }
            }
        }
        try {
            return existing.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    private static SSLContext sslContext(SchemaRegistryConfig c) {
        if (c.sslContext() != null) return c.sslContext();
        if (c.truststore() == null && c.keystore() == null) return null;
        try {
            TrustManager[] trust = null;
            if (c.truststore() != null) {
                KeyStore store = load(
                        c.truststore(),
                        c.truststoreType(),
                        c.truststorePassword(),
                        SchemaRegistryConfig.TRUSTSTORE_LOCATION);
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(store);
                trust = tmf.getTrustManagers();
            }
            KeyManager[] keys = null;
            if (c.keystore() != null) {
                KeyStore store = load(
                        c.keystore(), c.keystoreType(), c.keystorePassword(), SchemaRegistryConfig.KEYSTORE_LOCATION);
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(store, c.keyPassword());
                keys = kmf.getKeyManagers();
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keys, trust, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new ConfigException("cannot set up TLS for the schema registry: " + e.getMessage());
        }
    }

    private static KeyStore load(Path file, String type, char[] password, String key) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance(type.toUpperCase(Locale.ROOT));
            store.load(in, password);
            return store;
        } catch (IOException | GeneralSecurityException e) {
            // The message says e.g. "keystore password was incorrect"; it never contains the password.
            throw new ConfigException(key, file.toString(), "cannot load the " + type + " store: " + e.getMessage());
        }
    }
}
