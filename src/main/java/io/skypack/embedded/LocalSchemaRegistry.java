package io.skypack.embedded;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real schema registry for the demo and the {@code *IT} tests: Apicurio Registry with in-memory
 * storage, serving the Confluent-compatible API at {@link #url()}, in a child JVM on a free port of
 * the loopback interface.
 *
 * <p>The distribution ({@code io.apicurio:apicurio-registry-app:<apicurio.version>:tar.gz:all}, a
 * Quarkus runner jar and its {@code lib/}) is resolved and unpacked by Maven at {@code package} into
 * {@code target/apicurio-registry}; nothing is downloaded at run time. {@link #defaultHome()} says
 * where it is looked for.
 *
 * <p>The child exits with this JVM: {@link #close()} stops it, a shutdown hook stops it on a normal
 * exit, and {@link ExitWithParent} ends it when this JVM is killed. Its output goes to the logger
 * {@code io.skypack.embedded.LocalSchemaRegistry.apicurio} at DEBUG; the last lines are quoted when
 * it fails to start.
 */
public final class LocalSchemaRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalSchemaRegistry.class);
    private static final Logger CHILD_LOG = LoggerFactory.getLogger(LocalSchemaRegistry.class.getName() + ".apicurio");

    /** System property naming the unpacked distribution; wins over {@link #HOME_ENV}. */
    public static final String HOME_PROPERTY = "skypack.registry.home";
    /** Environment variable naming the unpacked distribution. */
    public static final String HOME_ENV = "SKYPACK_REGISTRY_HOME";
    /** Where Apicurio serves the Confluent Schema Registry API. */
    public static final String CCOMPAT_PATH = "/apis/ccompat/v7";
    /** Heap of the child JVM unless told otherwise; Apicurio with H2 in memory needs about 200 MB. */
    public static final String DEFAULT_MAX_HEAP = "256m";
    /** Time to wait for the child to serve requests unless told otherwise (a busy 2-core machine). */
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(120);

    private static final Pattern LISTENING = Pattern.compile("Listening on: (http://[^\\s,]+)");
    private static final int TAIL_LINES = 40;

    private final Process process;
    private final URI baseUri;
    private final Duration startupTime;
    private final Path scratch;
    private final Thread shutdownHook;

    private LocalSchemaRegistry(Process process, URI baseUri, Duration startupTime, Path scratch, Thread shutdownHook) {
        this.process = process;
        this.baseUri = baseUri;
        this.startupTime = startupTime;
        this.scratch = scratch;
        this.shutdownHook = shutdownHook;
    }

    /** Starts the distribution at {@link #defaultHome()} with the default heap and timeout. */
    public static LocalSchemaRegistry start() throws IOException {
        return start(defaultHome(), DEFAULT_MAX_HEAP, DEFAULT_STARTUP_TIMEOUT);
    }

    /**
     * Starts the distribution unpacked at {@code home} and returns once the Confluent API answers.
     *
     * @param maxHeap the child's {@code -Xmx}, e.g. {@code 256m}
     * @throws IOException when the distribution is missing, or the registry exits or does not answer
     *     within {@code startupTimeout} (the message quotes its last output lines)
     */
    public static LocalSchemaRegistry start(Path home, String maxHeap, Duration startupTimeout) throws IOException {
        Path runner = findRunnerJar(home);
        String mainClass;
        try (JarFile jar = new JarFile(runner.toFile())) {
            mainClass = jar.getManifest().getMainAttributes().getValue("Main-Class");
        }
        if (mainClass == null) throw new IOException(runner + " has no Main-Class: not a Quarkus runner jar");
        Path scratch = Files.createTempDirectory("skypack-registry");
        copyWatchdogClass(scratch);

        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + maxHeap,
                // Starts in about half the time; a registry answers a few requests per schema.
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-XX:+ExitOnOutOfMemoryError",
                "-Djava.io.tmpdir=" + scratch,
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=0",
                // Quarkus logs at WARN by default; INFO carries the "Listening on" line with the port.
                "-Dquarkus.log.category.\"io.quarkus\".level=INFO",
                "-Dapicurio.storage.kind=sql",
                "-Dapicurio.storage.sql.kind=h2",
                "-Dapicurio.datasource.url=jdbc:h2:mem:skypack;DB_CLOSE_DELAY=-1",
                "-Dapicurio.datasource.jdbc.initial-size=2",
                "-Dapicurio.datasource.jdbc.min-size=2",
                "-Dapicurio.datasource.jdbc.max-size=10",
                "-cp",
                scratch + java.io.File.pathSeparator + runner,
                ExitWithParent.class.getName(),
                Long.toString(ProcessHandle.current().pid()),
                mainClass));
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command)
                .directory(home.toFile())
                .redirectErrorStream(true)
                .start();
        Thread hook = new Thread(() -> stop(process), "local-schema-registry-stop");
        Runtime.getRuntime().addShutdownHook(hook);

        Deque<String> tail = new ArrayDeque<>();
        CompletableFuture<URI> listening = new CompletableFuture<>();
        Thread pump = new Thread(() -> pump(process, tail, listening), "local-schema-registry-output");
        pump.setDaemon(true);
        pump.start();
        try {
            long deadline = started + startupTimeout.toNanos();
            URI root = listening.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            URI api = URI.create(root + CCOMPAT_PATH);
            awaitApi(api, deadline);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            LOG.info(
                    "Apicurio Registry ({}) serves the Confluent API at {} (pid {}, started in {} ms)",
                    runner.getFileName(),
                    api,
                    process.pid(),
                    took.toMillis());
            return new LocalSchemaRegistry(process, api, took, scratch, hook);
        } catch (TimeoutException | ExecutionException | IOException | RuntimeException e) {
            fail(process, hook, scratch);
            String why = e instanceof TimeoutException
                    ? "did not answer within " + startupTimeout.toSeconds() + " s"
                    : "failed: "
                            + (e instanceof ExecutionException ? e.getCause().getMessage() : e.getMessage());
            throw new IOException("Apicurio Registry at " + home + " " + why + "; its last output:\n" + tail(tail), e);
        } catch (InterruptedException e) {
            fail(process, hook, scratch);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting Apicurio Registry", e);
        }
    }

    /**
     * Where the unpacked distribution is looked for: the {@value #HOME_PROPERTY} system property, else
     * the {@value #HOME_ENV} environment variable, else {@code apicurio-registry} next to the classes or
     * jar this class came from (so {@code target/apicurio-registry} both for {@code target/classes} and
     * {@code target/skypack.jar}).
     */
    public static Path defaultHome() {
        String property = System.getProperty(HOME_PROPERTY);
        if (property != null && !property.isBlank()) return Path.of(property);
        String env = System.getenv(HOME_ENV);
        if (env != null && !env.isBlank()) return Path.of(env);
        CodeSource source = LocalSchemaRegistry.class.getProtectionDomain().getCodeSource();
        if (source != null && "file".equals(source.getLocation().getProtocol())) {
            try {
                Path origin = Path.of(source.getLocation().toURI());
                if (origin.getParent() != null) return origin.getParent().resolve("apicurio-registry");
            } catch (URISyntaxException | IllegalArgumentException e) {
                // Fall through to the working-directory guess.
            }
        }
        return Path.of("target", "apicurio-registry");
    }

    /** Base URL of the Confluent-compatible API, e.g. {@code http://127.0.0.1:40123/apis/ccompat/v7}. */
    public String url() {
        return baseUri.toString();
    }

    public int port() {
        return baseUri.getPort();
    }

    /** Process id of the child JVM. */
    public long pid() {
        return process.pid();
    }

    /** From launching the child to the API answering. */
    public Duration startupTime() {
        return startupTime;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the registry (everything in it is lost) and waits for the child to exit. */
    @Override
    public void close() {
        stop(process);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // The hook runs (or ran) anyway.
        }
        deleteQuietly(scratch);
    }

    // ---------------------------------------------------------------------------------------------

    private static Path findRunnerJar(Path home) throws IOException {
        if (!Files.isDirectory(home)) {
            throw new IOException("no Apicurio Registry distribution at " + home.toAbsolutePath()
                    + ": run `mvn package` (it unpacks io.apicurio:apicurio-registry-app:tar.gz:all there),"
                    + " or point -D" + HOME_PROPERTY + " or " + HOME_ENV + " to an unpacked one");
        }
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(home, "*-runner.jar")) {
            dir.forEach(jars::add);
        }
        if (jars.size() != 1) {
            throw new IOException("expected one *-runner.jar in " + home.toAbsolutePath() + ", found " + jars);
        }
        return jars.get(0);
    }

    private static void copyWatchdogClass(Path dir) throws IOException {
        String resource = ExitWithParent.class.getName().replace('.', '/') + ".class";
        Path target = dir.resolve(resource);
        Files.createDirectories(target.getParent());
        try (InputStream in = Objects.requireNonNull(
                LocalSchemaRegistry.class.getClassLoader().getResourceAsStream(resource), resource)) {
            Files.copy(in, target);
        }
    }

    /** Forwards the child's output to the log, keeps its tail, and reports the URL it listens on. */
    private static void pump(Process process, Deque<String> tail, CompletableFuture<URI> listening) {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                CHILD_LOG.debug("{}", line);
                synchronized (tail) {
                    if (tail.size() == TAIL_LINES) tail.removeFirst();
                    tail.addLast(line);
                }
                Matcher m = LISTENING.matcher(line);
                if (!listening.isDone() && m.find()) listening.complete(URI.create(m.group(1)));
            }
        } catch (IOException e) {
            // The stream closes when the child exits.
        }
        try {
            listening.completeExceptionally(
                    new IOException("the registry exited with code " + process.waitFor() + " before it listened"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Quarkus listens before every route is up on some versions: wait for the API to answer 200. */
    private static void awaitApi(URI api, long deadlineNanos) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(2))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(api + "/subjects"))
                .timeout(Duration.ofSeconds(5))
                .GET()
                .build();
        String last = "no answer";
        while (System.nanoTime() < deadlineNanos) {
            try {
                HttpResponse<String> r = http.send(probe, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
                last = "HTTP " + r.statusCode() + ": " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        throw new IOException("the Confluent API at " + api + " did not answer 200 (" + last + ")");
    }

    private static void fail(Process process, Thread hook, Path scratch) {
        stop(process);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook runs anyway.
        }
        deleteQuietly(scratch);
    }

    private static void stop(Process process) {
        if (!process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(Deque<String> tail) {
        synchronized (tail) {
            return tail.isEmpty() ? "(nothing)" : String.join("\n", tail);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not delete {}: {}", dir, e.toString());
        }
    }
}
