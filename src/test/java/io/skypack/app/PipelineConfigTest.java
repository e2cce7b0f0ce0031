package io.skypack.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineConfigTest {
    @TempDir
    Path dir;

    @Test
    void layersShouldApplyProfileThenFileThenEnvironmentThenOptions() throws Exception {
        Path file = dir.resolve("site.properties");
        Files.writeString(file, "skypack.batch.max=3\nbootstrap.servers=file:9092\nskypack.stats.window.ms=5000\n");
        PipelineConfig c = PipelineConfig.load(
                "replay",
                file,
                Map.of("SKYPACK_BATCH_MAX", "5", "SKYPACK_BOOTSTRAP_SERVERS", "env:9092", "HOME", "/root"),
                Map.of("skypack.batch.max", "6"));
        var s = c.settings("m", id -> "c" + id);
        assertEquals(6, s.batching().maxBatch(), "the option wins over env, file and profile");
        assertEquals("env:9092", c.streams().getProperty("bootstrap.servers"), "env wins over the file");
        assertEquals(Duration.ofSeconds(5), s.statsWindow(), "the file wins over the profile");
        assertEquals("exactly_once_v2", c.streams().getProperty("processing.guarantee"), "replay profile");
        assertEquals(Optional.empty(), s.inference().staleAfter(), "replay never skips");
        assertFalse(c.streams().containsKey("skypack.batch.max"), "SkyPack keys are not passed to Kafka");
        assertFalse(c.streams().containsKey("home"), "only SKYPACK_ variables are read");
    }

    @Test
    void shouldNotPassTheLaunchersOwnVariablesToKafka() throws Exception {
        PipelineConfig c = PipelineConfig.load(
                "replay",
                null,
                Map.of("SKYPACK_JAVA_OPTS", "-Xmx1g", "SKYPACK_REGISTRY_HOME", "/opt/reg", "SKYPACK_STATE_DIR", "/s"),
                Map.of());
        assertFalse(c.streams().containsKey("java.opts"), c.streams().toString());
        assertFalse(c.streams().containsKey("registry.home"), c.streams().toString());
        assertEquals("/s", c.streams().getProperty("state.dir"), "other SKYPACK_ variables still count");
    }

    @Test
    void liveProfileShouldSkipStaleFramesAndCommitOftenInTransactions() throws Exception {
        PipelineConfig c = PipelineConfig.load("live", null, Map.of(), Map.of());
        var s = c.settings("m", id -> "c" + id);
        assertEquals(Optional.of(Duration.ofSeconds(2)), s.inference().staleAfter());
        assertEquals("exactly_once_v2", c.streams().getProperty("processing.guarantee"));
        assertEquals("100", c.streams().getProperty("commit.interval.ms"));
        assertTrue(s.batching().latencyBudget().toMillis() <= 100);
        assertEquals(false, s.inference().overlap(), "live forwards a batch's results as soon as it ends");
        assertEquals(
                true,
                PipelineConfig.load("replay", null, Map.of(), Map.of())
                        .settings("m", id -> "")
                        .inference()
                        .overlap(),
                "replay goes on with Kafka work while a batch runs");
    }

    @Test
    void shouldRefuseAnyGuaranteeButExactlyOnceSinceTheBatcherWouldLoseFrames() throws Exception {
        for (String g : new String[] {"at_least_once", "exactly_once"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PipelineConfig.load(
                            "live", null, Map.of(), Map.of("processing.guarantee", g))
                    .settings("m", id -> ""));
            assertTrue(e.getMessage().startsWith("processing.guarantee must be exactly_once_v2, got '" + g + "'"));
        }
    }

    @Test
    void badValuesShouldNameTheKey() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PipelineConfig.load(
                        "replay", null, Map.of(), Map.of("skypack.batch.max", "lots"))
                .settings("m", id -> ""));
        assertEquals("skypack.batch.max must be a whole number, got 'lots'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PipelineConfig.load(
                        "replay", null, Map.of(), Map.of("skypack.batch.max", "0"))
                .settings("m", id -> ""));
        assertEquals("skypack.batch.max must be in [1, 1024], got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PipelineConfig.load(
                        "replay", null, Map.of(), Map.of("skypack.inference.overlap", "Yes"))
                .settings("m", id -> ""));
        assertEquals("skypack.inference.overlap must be true or false, got 'Yes'", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> PipelineConfig.load("nightly", null, Map.of(), Map.of()));
        assertTrue(e.getMessage().contains("unknown profile 'nightly'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PipelineConfig.load("replay", null, Map.of(), Map.of())
                .registry());
        assertTrue(e.getMessage().startsWith("no schema registry"), e.getMessage());
        assertThrows(
                java.io.IOException.class,
                () -> PipelineConfig.load("replay", dir.resolve("missing.properties"), Map.of(), Map.of()));
    }

    @Test
    void describeShouldHideSecrets() throws Exception {
        PipelineConfig c = PipelineConfig.load(
                "replay",
                null,
                Map.of(),
                Map.of(
                        "sasl.jaas.config",
                                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"hunter2\";",
                        "basic.auth.user.info", "reg:s3cret",
                        "ssl.truststore.password", "changeit",
                        "schema.registry.url", "https://reg:in-the-url@registry:8443/apis/ccompat/v7"));
        String printed = c.describe();
        assertFalse(printed.contains("hunter2") || printed.contains("s3cret") || printed.contains("changeit"), printed);
        assertFalse(printed.contains("in-the-url"), printed);
        assertTrue(printed.contains("sasl.jaas.config=[hidden]"), printed);
        assertTrue(printed.contains("schema.registry.url=https://reg:[hidden]@registry:8443/apis/ccompat/v7"), printed);
        assertTrue(printed.contains("skypack.batch.max=8"), printed);
    }
}
