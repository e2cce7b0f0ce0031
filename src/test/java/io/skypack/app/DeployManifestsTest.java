package io.skypack.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.skypack.registry.SchemaRegistryConfig;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Keeps {@code deploy/kubernetes} in step with the code: there is no Kubernetes here to apply them to,
 * so every name they share with SkyPack (topics, application id, options, configuration keys, secrets,
 * mounts) is checked against the code and the replay profile.
 */
class DeployManifestsTest {
    private static final Path DIR = Path.of("deploy", "kubernetes");
    private static final List<JsonNode> DOCS = new ArrayList<>();
    private static PipelineConfig replay;

    @BeforeAll
    static void load() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path f :
                    files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                try (var it = yaml.readerFor(JsonNode.class).readValues(f.toFile())) {
                    while (it.hasNext()) {
                        JsonNode doc = (JsonNode) it.next();
                        if (doc != null && !doc.isNull()) DOCS.add(doc);
                    }
                }
            }
        }
        replay = PipelineConfig.load("replay", null, Map.of(), Map.of());
    }

    private static List<JsonNode> kind(String kind) {
        return DOCS.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
    }

    private static JsonNode named(String kind, String name) {
        return kind(kind).stream()
                .filter(d -> d.path("metadata").path("name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + DIR));
    }

    private static JsonNode detectorPod() {
        return named("Deployment", "skypack-detector")
                .path("spec")
                .path("template")
                .path("spec");
    }

    private static JsonNode detectorContainer() {
        return detectorPod().path("containers").get(0);
    }

    @Test
    void shouldDeclareExactlyTheProfilesFourTopics() {
        Set<String> declared = new HashSet<>();
        kind("KafkaTopic")
                .forEach(t -> declared.add(t.path("metadata").path("name").asText()));
        Set<String> profile = Set.of(
                replay.get("skypack.topics.frames"),
                replay.get("skypack.topics.detections"),
                replay.get("skypack.topics.flight-stats"),
                replay.get("skypack.topics.dead-letters"));
        assertEquals(profile, declared);
        for (JsonNode t : kind("KafkaTopic")) {
            long maxMessage =
                    t.path("spec").path("config").path("max.message.bytes").asLong(1048588);
            if (!t.path("metadata").path("name").asText().equals(replay.get("skypack.topics.flight-stats"))) {
                assertTrue(
                        maxMessage >= Long.parseLong(replay.get("skypack.frame.max.bytes")),
                        t.path("metadata").path("name").asText() + " must take the largest accepted frame");
            }
        }
    }

    @Test
    void shouldGrantTheDetectorWhatKafkaStreamsNeedsUnderItsApplicationId() {
        String app = replay.get("application.id");
        Map<String, String> acl = new HashMap<>(); // "type:pattern:name" -> operations
        for (JsonNode a : named("KafkaUser", "skypack-detector")
                .path("spec")
                .path("authorization")
                .path("acls")) {
            JsonNode r = a.path("resource");
            acl.put(
                    r.path("type").asText() + ":" + r.path("patternType").asText() + ":"
                            + r.path("name").asText(),
                    a.path("operations").toString());
        }
        assertTrue(
                acl.get("topic:literal:" + replay.get("skypack.topics.frames")).contains("Read"), acl.toString());
        for (String out : List.of("detections", "flight-stats", "dead-letters")) {
            assertTrue(
                    acl.get("topic:literal:" + replay.get("skypack.topics." + out))
                            .contains("Write"),
                    out);
        }
        assertTrue(acl.get("topic:prefix:" + app).contains("All"), "internal topics: " + acl);
        assertTrue(acl.get("group:literal:" + app).contains("Read"), "consumer group: " + acl);
        assertTrue(acl.get("transactionalId:prefix:" + app).contains("Write"), "exactly_once_v2: " + acl);
    }

    @Test
    void shouldRunADetectCommandThatParses() {
        JsonNode container = detectorContainer();
        List<String> args = new ArrayList<>();
        container.path("args").forEach(a -> args.add(a.asText()));
        CommandLine.ParseResult parsed = new CommandLine(new Main()).parseArgs(args.toArray(String[]::new));
        assertEquals("detect", parsed.subcommand().commandSpec().name());
    }

    @Test
    void shouldSetOnlyEnvironmentVariablesThatAreConfiguration() throws Exception {
        Set<String> known = new HashSet<>(StreamsConfig.configDef().names());
        known.addAll(ProducerConfig.configNames());
        known.addAll(ConsumerConfig.configNames());
        known.addAll(AdminClientConfig.configNames());
        for (Field f : SchemaRegistryConfig.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) known.add((String) f.get(null));
        }
        Map<String, String> env = new HashMap<>();
        named("ConfigMap", "skypack-detector")
                .path("data")
                .fields()
                .forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        JsonNode container = detectorContainer();
        container
                .path("env")
                .forEach(e -> env.put(e.path("name").asText(), e.path("value").asText("from a secret")));
        assertTrue(env.containsKey("SKYPACK_BOOTSTRAP_SERVERS") && env.containsKey("SKYPACK_SCHEMA_REGISTRY_URL"));
        for (String name : env.keySet()) {
            assertTrue(name.startsWith("SKYPACK_"), name + ": only SKYPACK_* variables are read");
            if (PipelineConfig.NOT_CONFIG.contains(name)) continue;
            String key = PipelineConfig.keyOf(name, k -> replay.get(k) != null);
            assertTrue(
                    key.startsWith(PipelineConfig.PREFIX) || known.contains(key),
                    name + " sets '" + key + "', neither a SkyPack key of the profile nor a Kafka or registry setting");
        }
    }

    @Test
    void shouldMountTheFilesAndSecretsItNames() {
        JsonNode pod = named("Deployment", "skypack-detector")
                .path("spec")
                .path("template")
                .path("spec");
        List<String> mounts = new ArrayList<>();
        pod.path("containers")
                .get(0)
                .path("volumeMounts")
                .forEach(m -> mounts.add(m.path("mountPath").asText()));
        JsonNode data = named("ConfigMap", "skypack-detector").path("data");
        for (String pathVar : List.of("SKYPACK_SSL_TRUSTSTORE_LOCATION", "SKYPACK_STATE_DIR")) {
            String path = data.path(pathVar).asText();
            assertTrue(
                    mounts.stream().anyMatch(m -> path.startsWith(m + "/")),
                    pathVar + " " + path + " not in " + mounts);
        }
        // the SCRAM secret is the one Strimzi writes for the detector's KafkaUser
        List<String> secrets = new ArrayList<>();
        pod.path("containers").get(0).path("env").forEach(e -> {
            JsonNode ref = e.path("valueFrom").path("secretKeyRef");
            if (!ref.isMissingNode())
                secrets.add(ref.path("name").asText() + "/" + ref.path("key").asText());
        });
        assertEquals(List.of("skypack-detector/sasl.jaas.config"), secrets);
        named("KafkaUser", "skypack-detector");
        assertFalse(data.has("SKYPACK_SASL_JAAS_CONFIG"), "credentials come from the Secret, never from the ConfigMap");
    }

    @Test
    void shouldBuildAnImageAroundTheLauncher() throws Exception {
        String docker = Files.readString(Path.of("deploy", "Dockerfile"));
        assertTrue(docker.contains("COPY skypack /opt/skypack/skypack"), docker);
        assertTrue(docker.contains("ENTRYPOINT [\"/opt/skypack/skypack\"]"), docker);
        // the launcher looks for target/skypack.jar next to itself, and the jar for lib/ next to itself
        assertTrue(docker.contains("/opt/skypack/target/skypack.jar") && docker.contains("/opt/skypack/target/lib/"));
        assertTrue(Files.readString(Path.of("skypack")).contains("jar=\"$here/target/skypack.jar\""));
    }
}
