package io.skypack.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.skypack.embedded.BasicAuthHttpsProxy;
import io.skypack.embedded.LocalKafkaBroker;
import io.skypack.embedded.LocalSchemaRegistry;
import io.skypack.embedded.SelfSignedTls;
import io.skypack.registry.AvroDeserializer;
import io.skypack.registry.SchemaRegistryClient;
import io.skypack.registry.SchemaRegistryConfig;
import io.skypack.schema.FrameDetections;
import io.skypack.stream.SkypackTopology;
import io.skypack.train.synth.FlightWriter;
import io.skypack.train.synth.SynthConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SkyPack against a secured cluster, on real components: the in-process KRaft broker with a {@code
 * SASL_SSL} listener (SCRAM-SHA-512, a self-signed certificate) and Apicurio behind an HTTPS proxy
 * with basic auth. {@code skypack replay} and {@code skypack detect} run as child JVMs, configured the
 * way a deployment is: a {@code --config} file without secrets, the passwords in {@code SKYPACK_*}
 * environment variables.
 *
 * <ul>
 *   <li>With the right credentials a replayed flight comes out as exactly one detections record per
 *       frame.
 *   <li>A wrong broker password, a wrong registry password, and a missing truststore (broker or
 *       registry) each end {@code detect} within {@link #FAIL_FAST} with exit code 2 and one line that
 *       says which service refused which user, or which certificate was not trusted.
 *   <li>No password (right or wrong, SCRAM, registry, stores) appears in anything any run wrote, nor in
 *       this JVM's output; the printed configuration shows them as {@code [hidden]}.
 * </ul>
 *
 * <p>Logs of every run stay in {@code target/secure-cluster-it/}.
 */
class SecureClusterIT {
    private static final Path WORK = Path.of("target", "secure-cluster-it");
    private static final SkypackTopology.Topics TOPICS = SkypackTopology.Topics.DEFAULT;
    private static final String MECHANISM = "SCRAM-SHA-512";
    private static final String KAFKA_USER = "skypack-detector";
    private static final String REGISTRY_USER = "skypack-registry";
    private static final String KAFKA_PASSWORD = secret("kafka");
    private static final String REGISTRY_PASSWORD = secret("registry");
    private static final String WRONG_PASSWORD = secret("wrong");
    private static final int FRAMES = 6;
    private static final long SEED = 6_060_606L;
    /** A rejected start must end within this, start-up of the child JVM included. */
    private static final Duration FAIL_FAST = Duration.ofSeconds(30);

    private static LocalKafkaBroker broker;
    private static LocalSchemaRegistry registry;
    private static SelfSignedTls proxyTls;
    private static BasicAuthHttpsProxy proxy;
    private static Path flights;
    private static String flight;
    private static Tee output;
    private static final List<String> timings = new ArrayList<>();

    @BeforeAll
    static void startSecuredClusterAndRegistry() throws IOException {
        deleteRecursively(WORK);
        Files.createDirectories(WORK);
        output = Tee.start();
        long t0 = System.nanoTime();
        broker = LocalKafkaBroker.startSaslSsl(
                new LocalKafkaBroker.SaslSsl(MECHANISM, Map.of(KAFKA_USER, KAFKA_PASSWORD)),
                Map.of(),
                LocalKafkaBroker.DEFAULT_STARTUP_TIMEOUT);
        broker.createTopics(1, TOPICS.frames(), TOPICS.detections(), TOPICS.flightStats(), TOPICS.deadLetters());
        long t1 = System.nanoTime();
        registry = LocalSchemaRegistry.start();
        proxyTls = SelfSignedTls.generate(WORK.resolve("proxy-tls"));
        proxy = BasicAuthHttpsProxy.start(URI.create(registry.url()), REGISTRY_USER, REGISTRY_PASSWORD, proxyTls);
        long t2 = System.nanoTime();
        flights = Files.createTempDirectory("skypack-secure-flights");
        SynthConfig synth = new SynthConfig(320, 192, FRAMES, 1, 2.0, 40, 110, 1.0, 1.0, 0, 0.9, SEED);
        flight =
                new FlightWriter(synth, flights, false).writeAll(s -> {}).get(0).name();
        timings.add(String.format(
                Locale.ROOT,
                "secured broker (certificate, SCRAM users) %.1f s, registry + HTTPS proxy %.1f s",
                (t1 - t0) / 1e9,
                (t2 - t1) / 1e9));
    }

    @AfterAll
    static void stopAndCheckThisJvmNeverPrintedASecret() throws IOException {
        try {
            if (proxy != null) proxy.close();
            if (registry != null) registry.close();
            if (broker != null) broker.close();
            if (flights != null) deleteRecursively(flights);
        } finally {
            String printed = output == null ? "" : output.stop();
            System.out.println("SecureClusterIT timings:\n  " + String.join("\n  ", timings));
            if (output != null) assertNoSecrets("the test JVM's own output", printed);
        }
    }

    @Test
    void shouldDetectEveryFrameOverSaslSslWithAnAuthenticatedRegistry() throws Exception {
        Path config = writeConfig("secure.properties", true, true);
        long t0 = System.nanoTime();
        try (DetectorProcess detector = skypack("detect-ok", config, goodEnv(), "detect", stateDir("ok"))) {
            DetectorProcess replay = skypack(
                    "replay-ok",
                    config,
                    goodEnv(),
                    "replay",
                    List.of("--source", flights.toString(), "--flight", flight, "--fps", "10", "--pace", "fast"));
            Optional<Integer> replayed = replay.await(Duration.ofSeconds(120));
            assertEquals(Optional.of(0), replayed, () -> "replay over SASL_SSL failed:\n" + replay.tail(40));
            assertTrue(replay.output().contains("replayed " + FRAMES + " frames"), replay.tail(10));
            assertNoSecrets(replay.log().toString(), replay.output());

            List<Long> indices = readDetections(detector, Duration.ofSeconds(180));
            long t1 = System.nanoTime();

            assertEquals(
                    LongStream.range(0, FRAMES).boxed().toList(),
                    indices,
                    "exactly one detections record per frame, in order");
            // SIGTERM, as a container stop: the JVM exits with 143 once Kafka Streams has closed.
            Optional<Integer> code = detector.terminate(Duration.ofSeconds(90));
            assertEquals(Optional.of(143), code, () -> "detect did not stop on SIGTERM:\n" + detector.tail(40));
            assertEquals(
                    1,
                    detector.count("streams PENDING_SHUTDOWN -> NOT_RUNNING"),
                    () -> "Kafka Streams closed cleanly:\n" + detector.tail(40));
            String printed = detector.output();
            assertNoSecrets(detector.log().toString(), printed);
            for (String key : List.of(
                    "sasl.jaas.config",
                    "basic.auth.user.info",
                    "ssl.truststore.password",
                    "schema.registry.ssl.truststore.password")) {
                assertTrue(printed.contains("  " + key + "=[hidden]"), "detect prints " + key + " hidden:\n" + printed);
            }
            assertTrue(printed.contains("  security.protocol=SASL_SSL"), printed);
            // Kafka's clients logged their configuration too (at INFO here): the search covered it.
            assertTrue(printed.contains("sasl.jaas.config = [hidden]"), printed);
            assertEquals(0, proxy.rejected(), "every registry request carried the right credentials");
            assertTrue(proxy.forwarded() > 0, "the registry was used through the proxy");
            timings.add(String.format(
                    Locale.ROOT,
                    "right credentials: %d frames replayed and detected (one record each) in %.1f s, detect start"
                            + " (JVM, check, models) included; %d registry requests through the proxy",
                    FRAMES,
                    (t1 - t0) / 1e9,
                    proxy.forwarded()));
        }
    }

    @Test
    void shouldFailFastNamingTheSaslUserWhenTheBrokerPasswordIsWrong() throws Exception {
        Map<String, String> env = goodEnv();
        env.put("SKYPACK_SASL_JAAS_CONFIG", jaas(KAFKA_USER, WRONG_PASSWORD));
        String out = failFast("wrong-kafka-password", writeConfig("secure.properties", true, true), env);
        assertTrue(
                out.contains(
                        "skypack detect: Kafka at " + broker.bootstrapServers() + " (SASL_SSL) rejected SASL user '"
                                + KAFKA_USER + "' (" + MECHANISM + "): authentication failed"),
                out);
    }

    @Test
    void shouldFailFastSayingTheRegistryRejectedTheCredentials() throws Exception {
        Map<String, String> env = goodEnv();
        env.put("SKYPACK_BASIC_AUTH_USER_INFO", REGISTRY_USER + ":" + WRONG_PASSWORD);
        int rejectedBefore = proxy.rejected();
        String out = failFast("wrong-registry-password", writeConfig("secure.properties", true, true), env);
        assertTrue(
                out.contains("skypack detect: schema registry at " + proxy.url() + " refused GET /subjects (HTTP 401):"
                        + " the credentials of user '" + REGISTRY_USER + "' were rejected"),
                out);
        assertEquals(rejectedBefore + 1, proxy.rejected(), "one request, not retried");
    }

    @Test
    void shouldFailFastOnTheBrokerCertificateWithoutATruststore() throws Exception {
        Map<String, String> env = goodEnv();
        env.remove("SKYPACK_SSL_TRUSTSTORE_PASSWORD");
        String out = failFast("no-kafka-truststore", writeConfig("no-kafka-trust.properties", false, true), env);
        assertTrue(
                out.contains("skypack detect: TLS handshake with Kafka at " + broker.bootstrapServers()
                        + " (SASL_SSL) failed: the broker's certificate is not trusted"),
                out);
    }

    @Test
    void shouldFailFastOnTheRegistryCertificateWithoutATruststore() throws Exception {
        Map<String, String> env = goodEnv();
        env.remove("SKYPACK_SCHEMA_REGISTRY_SSL_TRUSTSTORE_PASSWORD");
        String out = failFast("no-registry-truststore", writeConfig("no-registry-trust.properties", true, false), env);
        assertTrue(
                out.contains("skypack detect: TLS handshake with the schema registry at " + proxy.url()
                        + " failed: its certificate is not trusted"),
                out);
    }

    // ---------------------------------------------------------------------------------------------

    /** Runs {@code detect} with a configuration that must be refused; returns its output. */
    private static String failFast(String name, Path config, Map<String, String> env) throws Exception {
        long t0 = System.nanoTime();
        try (DetectorProcess p = skypack(name, config, env, "detect", stateDir(name))) {
            Optional<Integer> code = p.await(FAIL_FAST);
            double seconds = (System.nanoTime() - t0) / 1e9;
            String out = p.output();
            assertTrue(
                    code.isPresent(),
                    () -> name + ": detect still runs after " + FAIL_FAST.toSeconds() + " s:\n" + p.tail(40));
            assertEquals(2, code.get(), () -> name + ": exit code; output:\n" + p.tail(40));
            assertNoSecrets(p.log().toString(), out);
            assertTrue(out.contains("  sasl.jaas.config=[hidden]"), "the configuration was printed, secrets hidden");
            assertTrue(
                    out.contains("  basic.auth.user.info=[hidden]"), "the configuration was printed, secrets hidden");
            assertFalse(out.contains("streams CREATED -> REBALANCING"), "nothing started: " + out);
            timings.add(String.format(Locale.ROOT, "%s: detect exited with 2 after %.1f s", name, seconds));
            return out;
        }
    }

    private static DetectorProcess skypack(
            String name, Path config, Map<String, String> env, String command, List<String> args) throws IOException {
        List<String> all =
                new ArrayList<>(List.of("--config", config.toAbsolutePath().toString()));
        all.addAll(args);
        // Kafka's clients log their whole configuration at INFO (passwords as [hidden]): more to search.
        return DetectorProcess.run(
                WORK.resolve(name + ".log"),
                List.of("-Dorg.slf4j.simpleLogger.log.org.apache.kafka=info"),
                env,
                command,
                all);
    }

    private static List<String> stateDir(String name) {
        return List.of("--set", "state.dir=" + WORK.resolve("state-" + name).toAbsolutePath());
    }

    /**
     * A configuration file as a deployment keeps it: addresses, protocols and truststore locations, no
     * passwords (those come from {@link #goodEnv()}).
     */
    private static Path writeConfig(String name, boolean kafkaTrust, boolean registryTrust) throws IOException {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", MECHANISM);
        if (kafkaTrust) {
            p.put(
                    "ssl.truststore.location",
                    broker.truststore().toAbsolutePath().toString());
            p.put("ssl.truststore.type", SelfSignedTls.STORE_TYPE);
        }
        p.put("schema.registry.url", proxy.url());
        if (registryTrust) {
            p.put(
                    "schema.registry.ssl.truststore.location",
                    proxyTls.truststore().toAbsolutePath().toString());
            p.put("schema.registry.ssl.truststore.type", SelfSignedTls.STORE_TYPE);
        }
        Path file = WORK.resolve(name);
        Files.writeString(
                file,
                p.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue().replace("\\", "\\\\"))
                        .collect(Collectors.joining("\n", "", "\n")));
        return file;
    }

    /** The secrets, as environment variables (a Kubernetes secret mapped to the container's env). */
    private static Map<String, String> goodEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SKYPACK_SASL_JAAS_CONFIG", jaas(KAFKA_USER, KAFKA_PASSWORD));
        env.put("SKYPACK_SSL_TRUSTSTORE_PASSWORD", broker.truststorePassword());
        env.put("SKYPACK_BASIC_AUTH_USER_INFO", REGISTRY_USER + ":" + REGISTRY_PASSWORD);
        env.put("SKYPACK_SCHEMA_REGISTRY_SSL_TRUSTSTORE_PASSWORD", proxyTls.truststorePassword());
        return env;
    }

    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                + password + "\";";
    }

    /** Reads {@code uav.detections} (read_committed) over SASL_SSL until every frame has a record, then a bit more. */
    private static List<Long> readDetections(DetectorProcess detector, Duration timeout) {
        Map<String, Object> props = new LinkedHashMap<>(broker.clientProperties(KAFKA_USER, KAFKA_PASSWORD));
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 << 20);
        SchemaRegistryClient client = new SchemaRegistryClient(SchemaRegistryConfig.builder(proxy.url())
                .basicAuth(REGISTRY_USER, REGISTRY_PASSWORD)
                .truststore(proxyTls.truststore(), proxyTls.truststorePassword(), SelfSignedTls.STORE_TYPE)
                .build());
        AvroDeserializer<FrameDetections> reader = AvroDeserializer.forType(FrameDetections.class, client);
        List<Long> indices = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(TOPICS.detections(), 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            Consumer<ConsumerRecord<String, byte[]>> take = r -> {
                FrameDetections d = reader.deserialize(r.topic(), r.value());
                assertEquals(flight, d.getFlightId());
                indices.add(d.getFrameIndex());
            };
            long end = System.nanoTime() + timeout.toNanos();
            while (indices.size() < FRAMES) {
                if (!detector.isAlive()) fail("detect exited by itself:\n" + detector.tail(40));
                if (System.nanoTime() > end) {
                    fail("only " + indices + " after " + timeout.toSeconds() + " s; detect:\n" + detector.tail(40));
                }
                consumer.poll(Duration.ofMillis(200)).forEach(take);
            }
            // A duplicate would be committed by now or soon: look a little longer.
            long more = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < more)
                consumer.poll(Duration.ofMillis(200)).forEach(take);
        }
        return indices;
    }

    private static void assertNoSecrets(String where, String text) {
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("the SCRAM password", KAFKA_PASSWORD);
        secrets.put("the registry password", REGISTRY_PASSWORD);
        secrets.put("a wrong password", WRONG_PASSWORD);
        secrets.put("the broker's truststore password", broker.truststorePassword());
        secrets.put("the proxy's truststore password", proxyTls.truststorePassword());
        secrets.put("the proxy's keystore password", proxyTls.keystorePassword());
        for (var s : secrets.entrySet()) {
            assertFalse(text.contains(s.getValue()), () -> where + " contains " + s.getKey());
        }
    }

    /** A password no log line could contain by chance. */
    private static String secret(String what) {
        byte[] b = new byte[9];
        new SecureRandom().nextBytes(b);
        return what + "-" + HexFormat.of().formatHex(b);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /**
     * Copies everything this JVM writes to System.out and System.err (the test logger, slf4j-simple,
     * looks System.err up at every line) while still showing it.
     */
    private static final class Tee {
        private final PrintStream out = System.out, err = System.err;
        private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

        static Tee start() {
            Tee t = new Tee();
            System.setOut(t.wrap(t.out));
            System.setErr(t.wrap(t.err));
            return t;
        }

        private PrintStream wrap(PrintStream original) {
            return new PrintStream(
                    new OutputStream() {
                        @Override
                        public void write(int b) {
                            synchronized (copy) {
                                copy.write(b);
                            }
                            original.write(b);
                        }

                        @Override
                        public void write(byte[] b, int off, int len) {
                            synchronized (copy) {
                                copy.write(b, off, len);
                            }
                            original.write(b, off, len);
                        }
                    },
                    true,
                    StandardCharsets.UTF_8);
        }

        String stop() {
            System.out.flush();
            System.err.flush();
            System.setOut(out);
            System.setErr(err);
            synchronized (copy) {
                return copy.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
