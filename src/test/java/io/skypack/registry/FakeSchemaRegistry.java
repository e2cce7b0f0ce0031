package io.skypack.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * A schema registry in memory behind the JDK's HttpServer: the part of the Confluent REST API that
 * SkyPack uses, with Confluent's error codes, global ids by content and BACKWARD compatibility by
 * default. Counts requests, records headers, and can be told to require basic auth, fail the next
 * requests with a status, or answer slowly. For tests of the client, the serdes and the stream code.
 */
public final class FakeSchemaRegistry implements AutoCloseable {
    private static final Pattern VERSIONS = Pattern.compile("/subjects/([^/]+)/versions");
    private static final Pattern LATEST = Pattern.compile("/subjects/([^/]+)/versions/latest");
    private static final Pattern SUBJECT = Pattern.compile("/subjects/([^/]+)");
    private static final Pattern SCHEMA_BY_ID = Pattern.compile("/schemas/ids/(-?\\d+)");
    private static final Pattern COMPATIBILITY = Pattern.compile("/compatibility/subjects/([^/]+)/versions/latest");
    private static final Pattern CONFIG = Pattern.compile("/config/([^/]+)");

    private final HttpServer server;
    private final String url;
    private final ObjectMapper json = new ObjectMapper();

    // Registry state; guarded by this.
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<String, Integer> idsByText = new HashMap<>();
    private final Map<String, List<Integer>> subjects = new HashMap<>();
    private final Map<String, Compatibility> compatibility = new HashMap<>();
    private int nextId = 1;

    // Test controls.
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final Map<String, String> lastHeaders = new ConcurrentHashMap<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile int failureStatus;
    private volatile String requiredAuthorization;
    private volatile Duration latency = Duration.ZERO;

    private FakeSchemaRegistry(HttpServer server, String scheme) {
        this.server = server;
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "fake-schema-registry");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        this.url = scheme + "://localhost:" + server.getAddress().getPort();
    }

    /** A plain-HTTP registry on a free port of the loopback interface. */
    public static FakeSchemaRegistry start() throws IOException {
        return new FakeSchemaRegistry(
                HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0), "http");
    }

    /** An HTTPS registry presenting the key of {@code serverContext}. */
    public static FakeSchemaRegistry startTls(SSLContext serverContext) throws IOException {
        HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(serverContext));
        return new FakeSchemaRegistry(https, "https");
    }

    /** Base URL, e.g. {@code http://localhost:40123}. */
    public String url() {
        return url;
    }

    /** From now on, answer 401 unless the request carries these basic-auth credentials. */
    public void requireBasicAuth(String user, String password) {
        requiredAuthorization =
                "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Answer the next {@code times} requests with {@code status} and a Confluent error body. */
    public void failNext(int times, int status) {
        failureStatus = status;
        failuresLeft.set(times);
    }

    /** Wait this long before answering each request. */
    public void latency(Duration latency) {
        this.latency = latency;
    }

    /** Requests served so far, as {@code "METHOD /path"}, in arrival order. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    /** Requests so far whose {@code "METHOD /path"} starts with {@code prefix}. */
    public long calls(String prefix) {
        return requests.stream().filter(r -> r.startsWith(prefix)).count();
    }

    /** The value of a header in the latest request that had it, or null. */
    public String lastHeader(String name) {
        return lastHeaders.get(name.toLowerCase());
    }

    /** Registers directly, bypassing HTTP and compatibility checks (setting up a test). */
    public synchronized int put(String subject, Schema schema) {
        int id = idFor(schema);
        List<Integer> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
        if (!versions.contains(id)) versions.add(id);
        return id;
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    // ---------------------------------------------------------------------------------------------

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getRawPath();
            requests.add(method + " " + path);
            ex.getRequestHeaders().forEach((k, v) -> lastHeaders.put(k.toLowerCase(), v.get(0)));
            byte[] body = ex.getRequestBody().readAllBytes();
            if (!latency.isZero()) sleep(latency);
            if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                reply(ex, failureStatus, error(failureStatus, "injected failure"));
                return;
            }
            String required = requiredAuthorization;
            if (required != null && !required.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                reply(ex, 401, error(401, "Unauthorized"));
                return;
            }
            Answer a = route(method, path, body);
            reply(ex, a.status, a.body);
        }
    }

    private record Answer(int status, JsonNode body) {}

    private synchronized Answer route(String method, String path, byte[] body) throws IOException {
        Matcher m;
        if (method.equals("POST") && (m = VERSIONS.matcher(path)).matches()) {
            return register(decode(m.group(1)), body);
        }
        if (method.equals("GET") && (m = LATEST.matcher(path)).matches()) {
            List<Integer> versions = subjects.get(decode(m.group(1)));
            if (versions == null) return notFound(SchemaRegistryException.SUBJECT_NOT_FOUND, "Subject not found.");
            int id = versions.get(versions.size() - 1);
            ObjectNode o = json.createObjectNode()
                    .put("subject", decode(m.group(1)))
                    .put("version", versions.size())
                    .put("id", id)
                    .put("schema", schemasById.get(id).toString());
            return new Answer(200, o);
        }
        if (method.equals("POST") && (m = SUBJECT.matcher(path)).matches()) {
            String subject = decode(m.group(1));
            List<Integer> versions = subjects.get(subject);
            if (versions == null) return notFound(SchemaRegistryException.SUBJECT_NOT_FOUND, "Subject not found.");
            Schema schema = parse(body);
            Integer id = idsByText.get(schema.toString());
            if (id == null || !versions.contains(id)) {
                return notFound(SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema not found");
            }
            ObjectNode o = json.createObjectNode()
                    .put("subject", subject)
                    .put("version", versions.indexOf(id) + 1)
                    .put("id", id)
                    .put("schema", schema.toString());
            return new Answer(200, o);
        }
        if (method.equals("GET") && path.equals("/subjects")) {
            var list = json.createArrayNode();
            subjects.keySet().stream().sorted().forEach(list::add);
            return new Answer(200, list);
        }
        if (method.equals("GET") && (m = SCHEMA_BY_ID.matcher(path)).matches()) {
            Schema schema = schemasById.get(Integer.parseInt(m.group(1)));
            if (schema == null) return notFound(SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema not found");
            return new Answer(200, json.createObjectNode().put("schema", schema.toString()));
        }
        if (method.equals("POST") && (m = COMPATIBILITY.matcher(path)).matches()) {
            String subject = decode(m.group(1));
            boolean ok = compatible(subject, parse(body));
            return new Answer(200, json.createObjectNode().put("is_compatible", ok));
        }
        if (method.equals("PUT") && (m = CONFIG.matcher(path)).matches()) {
            Compatibility level = Compatibility.valueOf(
                    json.readTree(body).path("compatibility").asText());
            compatibility.put(decode(m.group(1)), level);
            return new Answer(200, json.createObjectNode().put("compatibility", level.name()));
        }
        return new Answer(404, error(404, "HTTP 404 Not Found"));
    }

    private Answer register(String subject, byte[] body) throws IOException {
        Schema schema;
        try {
            schema = parse(body);
        } catch (RuntimeException e) {
            return new Answer(422, error(SchemaRegistryException.INVALID_SCHEMA, "Invalid schema: " + e.getMessage()));
        }
        Integer existing = idsByText.get(schema.toString());
        List<Integer> versions = subjects.getOrDefault(subject, List.of());
        if (existing != null && versions.contains(existing)) {
            return new Answer(200, json.createObjectNode().put("id", existing));
        }
        if (!compatible(subject, schema)) {
            return new Answer(
                    409,
                    error(
                            409,
                            "Schema being registered is incompatible with an earlier schema for subject \"" + subject
                                    + "\""));
        }
        return new Answer(200, json.createObjectNode().put("id", put(subject, schema)));
    }

    /** BACKWARD (the default) and NONE: the new schema must read data of the latest version. */
    private boolean compatible(String subject, Schema candidate) {
        List<Integer> versions = subjects.get(subject);
        if (versions == null || versions.isEmpty()) return true;
        if (compatibility.getOrDefault(subject, Compatibility.BACKWARD) == Compatibility.NONE) return true;
        Schema latest = schemasById.get(versions.get(versions.size() - 1));
        return SchemaCompatibility.checkReaderWriterCompatibility(candidate, latest)
                        .getType()
                == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
    }

    private int idFor(Schema schema) {
        return idsByText.computeIfAbsent(schema.toString(), text -> {
            int id = nextId++;
            schemasById.put(id, schema);
            return id;
        });
    }

    private Schema parse(byte[] body) throws IOException {
        return new Schema.Parser().parse(json.readTree(body).path("schema").asText());
    }

    private Answer notFound(int code, String message) {
        return new Answer(404, error(code, message));
    }

    private ObjectNode error(int code, String message) {
        return json.createObjectNode().put("error_code", code).put("message", message);
    }

    private void reply(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", SchemaRegistryClient.CONTENT_TYPE);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
