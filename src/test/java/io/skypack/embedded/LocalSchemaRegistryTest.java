package io.skypack.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What can be checked without starting Apicurio; ApicurioRegistryIT starts it for real. */
class LocalSchemaRegistryTest {

    @Test
    void shouldSayHowToGetTheDistributionWhenItIsMissing(@TempDir Path dir) {
        IOException e = assertThrows(
                IOException.class,
                () -> LocalSchemaRegistry.start(dir.resolve("nothing-here"), "64m", Duration.ofSeconds(5)));

        assertTrue(e.getMessage().contains("mvn package"), e.getMessage());
        assertTrue(e.getMessage().contains(LocalSchemaRegistry.HOME_ENV), e.getMessage());
    }

    @Test
    void shouldRefuseAFolderWithoutARunnerJar(@TempDir Path dir) {
        IOException e =
                assertThrows(IOException.class, () -> LocalSchemaRegistry.start(dir, "64m", Duration.ofSeconds(5)));

        assertTrue(e.getMessage().contains("*-runner.jar"), e.getMessage());
    }

    @Test
    void shouldLookForTheDistributionNextToTheClasses() {
        // Surefire runs against target/classes, so the default is target/apicurio-registry.
        Path home = LocalSchemaRegistry.defaultHome();

        assertEquals("apicurio-registry", home.getFileName().toString());
        assertEquals("target", home.getParent().getFileName().toString());
    }

    @Test
    void shouldEndTheChildJvmWhenItsParentDies() throws Exception {
        Process parent = new ProcessBuilder("sleep", "600").start();
        String classpath = System.getProperty("java.class.path");
        Process child = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx32m",
                        "-cp",
                        classpath,
                        ExitWithParent.class.getName(),
                        Long.toString(parent.pid()),
                        SleepForever.class.getName()))
                .redirectErrorStream(true)
                .start();
        try {
            assertTrue(!child.waitFor(1, TimeUnit.SECONDS), "the child runs while its parent lives");

            parent.destroy();
            parent.waitFor();

            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child exits after its parent died");
        } finally {
            parent.destroyForcibly();
            child.destroyForcibly();
        }
    }

    /** A main class that never returns on its own. */
    public static final class SleepForever {
        private SleepForever() {}

        public static void main(String[] args) throws InterruptedException {
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
