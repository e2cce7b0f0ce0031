package io.skypack.app;

import io.skypack.registry.AvroSerializer;
import io.skypack.registry.SchemaRegistryClient;
import io.skypack.registry.SchemaRegistryConfig;
import io.skypack.schema.Frame;
import io.skypack.stream.BatchingConfig;
import io.skypack.stream.InferenceStage;
import io.skypack.stream.SkypackTopology;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntFunction;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The pipeline's configuration, in layers (later wins): the profile ({@code topologies/live.properties}
 * or {@code topologies/replay.properties}, bundled in the jar), a {@code --config} file, {@code SKYPACK_*}
 * environment variables, command-line options. Keys starting with {@code skypack.} are SkyPack's; the
 * rest are Kafka Streams and client settings (and the schema-registry client's {@code schema.registry.*},
 * {@code basic.auth.user.info}), passed through unchanged.
 *
 * <p>An environment variable {@code SKYPACK_A_B} sets {@code skypack.a.b} when that is a SkyPack key,
 * else {@code a.b}: {@code SKYPACK_BOOTSTRAP_SERVERS} sets {@code bootstrap.servers},
 * {@code SKYPACK_BATCH_MAX} sets {@code skypack.batch.max}, {@code SKYPACK_SCHEMA_REGISTRY_URL} sets
 * {@code schema.registry.url}. Hyphenated keys cannot be set this way; use the file.
 */
final class PipelineConfig {
    static final String PREFIX = "skypack.";

    /**
     * {@code SKYPACK_*} variables that are not configuration: the launcher's JVM options and the local
     * registry's folder. Read as config they would reach Kafka as unknown keys ({@code java.opts}).
     */
    static final Set<String> NOT_CONFIG = Set.of("SKYPACK_JAVA_OPTS", "SKYPACK_REGISTRY_HOME");

    private final Map<String, String> values;

    private PipelineConfig(Map<String, String> values) {
        this.values = values;
    }

    /**
     * @param profile {@code live} or {@code replay}
     * @param file optional properties file
     * @param env the environment (only {@code SKYPACK_*} entries are read)
     * @param overrides from the command line
     */
    static PipelineConfig load(String profile, Path file, Map<String, String> env, Map<String, String> overrides)
            throws IOException {
        Map<String, String> v = new TreeMap<>();
        String resource = "/io/skypack/topologies/" + profile + ".properties";
        try (InputStream in = PipelineConfig.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalArgumentException("unknown profile '" + profile + "': use live or replay");
            Properties p = new Properties();
            p.load(in);
            p.stringPropertyNames().forEach(k -> v.put(k, p.getProperty(k).trim()));
        }
        if (file != null) {
            if (!Files.isRegularFile(file)) throw new IOException("--config " + file + ": no such file");
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            }
            p.stringPropertyNames().forEach(k -> v.put(k, p.getProperty(k).trim()));
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (!e.getKey().startsWith("SKYPACK_") || NOT_CONFIG.contains(e.getKey())) continue;
            v.put(keyOf(e.getKey(), v::containsKey), e.getValue().trim());
        }
        v.putAll(overrides);
        return new PipelineConfig(v);
    }

    /**
     * The key an environment variable {@code SKYPACK_A_B} sets: {@code skypack.a.b} when {@code isKey} says
     * that exists (a SkyPack key of the profile), else {@code a.b}.
     */
    static String keyOf(String envName, java.util.function.Predicate<String> isKey) {
        String key =
                envName.substring("SKYPACK_".length()).toLowerCase(Locale.ROOT).replace('_', '.');
        return isKey.test(PREFIX + key) ? PREFIX + key : key;
    }

    String get(String key) {
        return values.get(key);
    }

    /** Kafka Streams / client properties: everything that is not a SkyPack key. */
    Properties streams() {
        Properties p = new Properties();
        values.forEach((k, val) -> {
            if (!k.startsWith(PREFIX)) p.put(k, val);
        });
        return p;
    }

    /** Keys that only Kafka Streams understands; a plain producer built from this config leaves them out. */
    private static final Set<String> STREAMS_ONLY = Set.of(
            "application.id",
            "processing.guarantee",
            "commit.interval.ms",
            "num.stream.threads",
            "producer.max.request.size",
            "producer.linger.ms",
            "state.dir");

    /**
     * A producer of frames on this config's cluster (its client and security settings): idempotent, acks
     * from all replicas, requests large enough for the largest accepted frame.
     */
    KafkaProducer<String, Frame> frameProducer(SchemaRegistryClient registry) {
        Properties props = streams();
        STREAMS_ONLY.forEach(props::remove);
        props.put("enable.idempotence", "true");
        props.put("acks", "all");
        props.put("max.request.size", String.valueOf(number("frame.max.bytes", 1, Integer.MAX_VALUE) + 65536));
        return new KafkaProducer<>(props, new StringSerializer(), new AvroSerializer<Frame>(registry, false));
    }

    /** The overrides that point a config at the embedded broker and registry, with a fresh state folder. */
    static Map<String, String> local(String bootstrapServers, String registryUrl) throws IOException {
        Map<String, String> o = new HashMap<>();
        o.put("bootstrap.servers", bootstrapServers);
        o.put("schema.registry.url", registryUrl);
        o.put("state.dir", Files.createTempDirectory("skypack-state").toString());
        return o;
    }

    SchemaRegistryConfig registry() {
        if (values.get(SchemaRegistryConfig.URL) == null) {
            throw new IllegalArgumentException(
                    "no schema registry: set schema.registry.url (--registry, SKYPACK_SCHEMA_REGISTRY_URL or --config)");
        }
        return SchemaRegistryConfig.fromMap(values);
    }

    SkypackTopology.Topics topics() {
        return new SkypackTopology.Topics(
                string("topics.frames"),
                string("topics.detections"),
                string("topics.flight-stats"),
                string("topics.dead-letters"));
    }

    SkypackTopology.Settings settings(String modelId, IntFunction<String> classNames) {
        String guarantee = values.get("processing.guarantee");
        if (!"exactly_once_v2".equals(guarantee)) {
            // FrameBatcher's buffer is crash-safe only inside a transaction: under at_least_once a kill
            // during inference loses the batch (its store deletes are logged before its results).
            throw new IllegalArgumentException("processing.guarantee must be exactly_once_v2, got '" + guarantee
                    + "': the micro-batcher loses frames on a crash under any other guarantee");
        }
        long stale = number("stale.after.ms", 0, Long.MAX_VALUE);
        return new SkypackTopology.Settings(
                topics(),
                BatchingConfig.of(
                        (int) number("batch.max", 1, 1024),
                        Duration.ofMillis(number("batch.latency.ms", 1, 3_600_000))),
                new InferenceStage.Settings(
                        modelId,
                        stale == 0 ? Optional.empty() : Optional.of(Duration.ofMillis(stale)),
                        classNames,
                        fraction("output.min.score"),
                        flag("inference.overlap")),
                number("frame.max.bytes", 1, Integer.MAX_VALUE),
                number("frame.max.pixels", 1, Long.MAX_VALUE),
                Duration.ofMillis(number("stats.window.ms", 1, Long.MAX_VALUE)));
    }

    String string(String key) {
        String s = values.get(PREFIX + key);
        if (s == null || s.isBlank()) throw new IllegalArgumentException(PREFIX + key + " is not set");
        return s;
    }

    long number(String key, long min, long max) {
        String s = string(key);
        long n;
        try {
            n = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PREFIX + key + " must be a whole number, got '" + s + "'");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(PREFIX + key + " must be in [" + min + ", " + max + "], got " + n);
        }
        return n;
    }

    boolean flag(String key) {
        String s = string(key).trim();
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(PREFIX + key + " must be true or false, got '" + s + "'");
        };
    }

    double fraction(String key) {
        return decimal(key, 0, 1);
    }

    double decimal(String key, double min, double max) {
        String s = string(key);
        double v;
        try {
            v = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    PREFIX + key + " must be a number in [" + min + ", " + max + "], got '" + s + "'");
        }
        if (!(v >= min && v <= max)) {
            throw new IllegalArgumentException(PREFIX + key + " must be in [" + min + ", " + max + "], got " + v);
        }
        return v;
    }

    /**
     * Every setting, one per line, secrets (passwords, credentials, JAAS, the password in a URL's user
     * info such as {@code https://user:password@registry}) shown as [hidden].
     */
    String describe() {
        StringBuilder sb = new StringBuilder();
        values.forEach((k, v) -> sb.append(k)
                .append('=')
                .append(isSecret(k) ? "[hidden]" : URL_PASSWORD.matcher(v).replaceAll("$1[hidden]@"))
                .append('\n'));
        return sb.toString();
    }

    /** {@code scheme://user:} then the password up to the {@code @} of a URL's user info. */
    private static final java.util.regex.Pattern URL_PASSWORD =
            java.util.regex.Pattern.compile("(://[^/@:\\s]*:)[^/@\\s]*@");

    static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password")
                || k.contains("user.info")
                || k.contains("jaas")
                || k.contains("secret")
                || k.contains("token")
                || k.contains("credentials");
    }
}
