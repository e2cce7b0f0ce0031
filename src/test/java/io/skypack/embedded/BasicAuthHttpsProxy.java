package io.skypack.embedded;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TLS-terminating reverse proxy with HTTP basic auth in front of a plain-HTTP service, the way a
 * schema registry is commonly exposed (Apicurio's own authentication needs an OIDC server). Requests
 * with the right {@code Authorization} header are forwarded unchanged (method, path, query, body,
 * content headers) to the upstream; any other gets {@code 401} with a {@code WWW-Authenticate}
 * challenge and a Confluent-style error body, and never reaches the upstream.
 *
 * <p>Serves {@code https://127.0.0.1:<free port>} with the certificate of a {@link SelfSignedTls}.
 */
public final class BasicAuthHttpsProxy implements AutoCloseable {
    private static final List<String> FORWARDED_HEADERS = List.of("Content-Type", "Accept");

    private final HttpsServer server;
    private final ExecutorService executor;
    private final HttpClient http;
    private final URI upstream;
    private final byte[] expectedAuthorization;
    private final AtomicInteger forwarded = new AtomicInteger();
    private final AtomicInteger rejected = new AtomicInteger();

    private BasicAuthHttpsProxy(
            HttpsServer server, ExecutorService executor, URI upstream, byte[] expectedAuthorization) {
        this.server = server;
        this.executor = executor;
        this.upstream = upstream;
        this.expectedAuthorization = expectedAuthorization;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /**
     * @param upstream the service's base URL, e.g. {@code http://127.0.0.1:40123/apis/ccompat/v7}; the
     *     proxy serves the same path, see {@link #url()}
     */
    public static BasicAuthHttpsProxy start(URI upstream, String user, String password, SelfSignedTls tls)
            throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "basic-auth-https-proxy");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        byte[] expected = ("Basic "
                        + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
                .getBytes(StandardCharsets.UTF_8);
        BasicAuthHttpsProxy proxy = new BasicAuthHttpsProxy(server, executor, upstream, expected);
        server.createContext("/", proxy::handle);
        server.start();
        return proxy;
    }

    /** The upstream's base URL as served here: {@code https://127.0.0.1:<port><upstream path>}. */
    public String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort() + upstream.getRawPath();
    }

    /** Requests that carried the right credentials and went to the upstream. */
    public int forwarded() {
        return forwarded.get();
    }

    /** Requests answered 401 (no or wrong credentials). */
    public int rejected() {
        return rejected.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth == null || !MessageDigest.isEqual(expectedAuthorization, auth.getBytes(StandardCharsets.UTF_8))) {
                rejected.incrementAndGet();
                ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"schema-registry\", charset=\"UTF-8\"");
                reply(ex, 401, "application/json", "{\"error_code\":401,\"message\":\"Unauthorized\"}".getBytes());
                return;
            }
            URI requested = ex.getRequestURI();
            URI target = URI.create("http://" + upstream.getRawAuthority() + requested.getRawPath()
                    + (requested.getRawQuery() == null ? "" : "?" + requested.getRawQuery()));
            HttpRequest.Builder rb = HttpRequest.newBuilder(target)
                    .timeout(Duration.ofSeconds(30))
                    .method(
                            ex.getRequestMethod(),
                            body.length == 0
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofByteArray(body));
            for (String h : FORWARDED_HEADERS) {
                String v = ex.getRequestHeaders().getFirst(h);
                if (v != null) rb.header(h, v);
            }
            try {
                HttpResponse<byte[]> r = http.send(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
                forwarded.incrementAndGet();
                reply(ex, r.statusCode(), r.headers().firstValue("Content-Type").orElse(null), r.body());
            } catch (IOException e) {
                reply(ex, 502, "text/plain", ("upstream unreachable: " + e).getBytes(StandardCharsets.UTF_8));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reply(ex, 503, "text/plain", "proxy stopping".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static void reply(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        if (contentType != null) ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) ex.getResponseBody().write(body);
    }
}
