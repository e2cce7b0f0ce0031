package io.skypack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Keeps the layering of DESIGN.md section 2: the stream code never sees DJL, the detector never sees Kafka. */
class ArchitectureTest {
    private static final Path SRC = Path.of("src/main/java/io/skypack");

    @Test
    void streamPackageShouldNotImportDjl() throws IOException {
        assertEquals(List.of(), importsOf("stream", "ai.djl"));
    }

    @Test
    void registryAndEmbeddedPackagesShouldNotImportDjl() throws IOException {
        List<String> found = new ArrayList<>(importsOf("registry", "ai.djl"));
        found.addAll(importsOf("embedded", "ai.djl"));
        assertEquals(List.of(), found);
    }

    @Test
    void detectAndModelPackagesShouldNotImportKafka() throws IOException {
        List<String> found = new ArrayList<>(importsOf("detect", "org.apache.kafka"));
        found.addAll(importsOf("model", "org.apache.kafka"));
        found.addAll(importsOf("eval", "org.apache.kafka"));
        assertEquals(List.of(), found);
    }

    @Test
    void shouldFindImportsWhenThereAreSome() throws IOException {
        // Guards the scanner itself: the app package does import picocli.
        assertEquals(false, importsOf("app", "picocli").isEmpty());
    }

    private static List<String> importsOf(String pkg, String prefix) throws IOException {
        Path dir = SRC.resolve(pkg);
        if (!Files.isDirectory(dir)) return List.of();
        List<String> hits = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    if (line.startsWith("import " + prefix) || line.startsWith("import static " + prefix)) {
                        hits.add(SRC.relativize(f) + ": " + line);
                    }
                }
            }
        }
        return hits;
    }
}
