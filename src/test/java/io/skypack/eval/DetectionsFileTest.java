package io.skypack.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.detect.Box;
import io.skypack.detect.Detection;
import io.skypack.detect.MaskRle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetectionsFileTest {
    @TempDir
    Path dir;

    private static final String GOOD =
            "{\"image_id\": \"seq/0000001\", \"category_id\": 4, \"bbox\": [1, 2, 3, 4]," + " \"score\": 0.5}";

    @Test
    void shouldRoundTripDetectionsWithAndWithoutMasks() throws IOException {
        MaskRle mask = MaskRle.ofRectangle(30, 40, 5, 6, 15, 20);
        Map<String, List<Detection>> dets = new LinkedHashMap<>();
        dets.put(
                "seq/0000001",
                List.of(
                        new Detection(Box.ofXywh(10.5, 20.25, 30.75, 8), 4, 0.93, mask),
                        new Detection(Box.ofXywh(0, 0, 1, 1), 1, 0.0, null)));
        dets.put("seq/0000002", List.of(new Detection(Box.ofXywh(3, 4, 5, 6), 10, 1.0, null)));
        Path file = dir.resolve("dets.jsonl");

        DetectionsFile.write(file, dets);

        assertEquals(3, Files.readAllLines(file).size());
        assertEquals(dets, DetectionsFile.read(file));
    }

    @Test
    void shouldReadCocoResultsArray() throws IOException {
        Path file = write(
                "  [",
                "{\"image_id\": \"a\", \"category_id\": 1, \"bbox\": [0, 0, 2, 2], \"score\": 0.9,",
                "  \"segmentation\": {\"size\": [4, 4], \"counts\": [5, 2, 9]}},",
                "{\"image_id\": \"a\", \"category_id\": 2, \"bbox\": [1, 1, 2, 2], \"score\": 0.1}",
                "]");

        Map<String, List<Detection>> dets = DetectionsFile.read(file);

        assertEquals(2, dets.get("a").size());
        assertEquals(2, dets.get("a").get(0).mask().area());
        assertEquals(Box.ofXywh(1, 1, 2, 2), dets.get("a").get(1).box());
        assertNull(dets.get("a").get(1).mask());
    }

    @Test
    void shouldSkipBlankLines() throws IOException {
        assertEquals(
                2,
                DetectionsFile.read(write(GOOD, "", "   ", GOOD))
                        .get("seq/0000001")
                        .size());
    }

    @Test
    void shouldNameFileAndLineOfMissingField() {
        Path file = write(GOOD, "", "{\"image_id\": \"a\", \"category_id\": 4, \"bbox\": [1, 2, 3, 4]}");
        DetectionsFileException e = assertThrows(DetectionsFileException.class, () -> DetectionsFile.read(file));
        assertEquals(3, e.line());
        assertEquals(file + ":3: missing field 'score'", e.getMessage());
    }

    @Test
    void shouldRejectScoreOutsideUnitInterval() {
        Path file = write(GOOD, GOOD.replace("0.5}", "1.5}"));
        DetectionsFileException e = assertThrows(DetectionsFileException.class, () -> DetectionsFile.read(file));
        assertEquals(file + ":2: score outside [0, 1]: 1.5", e.getMessage());
    }

    @Test
    void shouldRejectNegativeWidth() {
        Path file = write(GOOD.replace("[1, 2, 3, 4]", "[1, 2, -3, 4]"));
        DetectionsFileException e = assertThrows(DetectionsFileException.class, () -> DetectionsFile.read(file));
        assertEquals(file + ":1: bbox has negative width -3.0", e.getMessage());
    }

    @Test
    void shouldRejectBadRle() {
        // Runs cover 3 pixels of a 2x2 mask.
        Path file = write(GOOD.replace("0.5}", "0.5, \"segmentation\": {\"size\": [2, 2], \"counts\": [1, 2]}}"));
        DetectionsFileException e = assertThrows(DetectionsFileException.class, () -> DetectionsFile.read(file));
        assertTrue(e.getMessage().startsWith(file + ":1: bad RLE in segmentation: "), e.getMessage());
    }

    @Test
    void shouldRejectInvalidRleCharacter() {
        Path file = write(GOOD, GOOD.replace("0.5}", "0.5, \"segmentation\": {\"size\": [2, 2], \"counts\": \"4 \"}}"));
        DetectionsFileException e = assertThrows(DetectionsFileException.class, () -> DetectionsFile.read(file));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("bad RLE"), e.getMessage());
    }

    @Test
    void shouldReportLineOfBadElementInArray() {
        Path file = write(
                "[",
                GOOD + ",",
                "",
                "{\"image_id\": \"a\", \"category_id\": \"car\", \"bbox\": [1, 2, 3, 4], \"score\": 0.5}",
                "]");
        DetectionsFileException e = assertThrows(DetectionsFileException.class, () -> DetectionsFile.read(file));
        assertEquals(file + ":4: category_id must be an integer", e.getMessage());
    }

    @Test
    void shouldReportLineOfMalformedJson() {
        Path file = write(GOOD, "{\"image_id\": \"a\",");
        DetectionsFileException e = assertThrows(DetectionsFileException.class, () -> DetectionsFile.read(file));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }

    private Path write(String... lines) {
        try {
            return Files.write(dir.resolve("dets.json"), List.of(lines));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
