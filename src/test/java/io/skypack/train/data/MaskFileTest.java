package io.skypack.train.data;

import static io.skypack.train.data.DatasetFiles.frame;
import static io.skypack.train.data.DatasetFiles.jpeg;
import static io.skypack.train.data.DatasetFiles.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.detect.MaskRle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MaskFileTest {

    @TempDir
    Path root;

    /** Runs 0, 5, 40, 33, 2 over 8 x 10 pixels; "05X1l0jN" worked out in MaskRleTest. */
    private static final MaskRle MASK_8X10 = MaskRle.ofCounts(8, 10, new int[] {0, 5, 40, 33, 2});

    private DatasetFormatException assertMaskError(Path file, int line, String problem) {
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> VisDroneDataset.load(root));
        assertEquals(file, e.file(), e.getMessage());
        assertEquals(line, e.line(), e.getMessage());
        assertTrue(e.getMessage().startsWith(line > 0 ? file + ":" + line + ": " : file + ": "), e.getMessage());
        assertTrue(e.problem().contains(problem), e.getMessage());
        return e;
    }

    /** A VID sequence "seq" of two 10 x 8 frames: targets 4 and 9 in frame 1, target 4 in frame 2. */
    private void sequence() {
        frame(root, "seq", 1, 10, 8);
        frame(root, "seq", 2, 10, 8);
        text(root.resolve("annotations/seq.txt"), "1,4,0,0,5,1,1,4,0,0\n1,9,2,2,3,3,1,1,0,0\n2,4,1,0,5,1,1,4,0,0\n");
    }

    private Path masks(String name, String content) {
        return text(root.resolve("masks").resolve(name + ".jsonl"), content);
    }

    private static String line(int frame, int targetId, int h, int w, String counts) {
        return "{\"frame\":" + frame + ",\"target_id\":" + targetId + ",\"size\":[" + h + "," + w + "],\"counts\":\""
                + counts + "\"}\n";
    }

    @Test
    void shouldWriteOneCompactJsonObjectPerLine() throws IOException {
        Path file = root.resolve("m.jsonl");
        MaskFile.write(
                file, List.of(new MaskFile.Entry(3, 12, MASK_8X10), new MaskFile.Entry(1, 2, MaskRle.empty(2, 3))));

        assertEquals(
                "{\"frame\":3,\"target_id\":12,\"size\":[8,10],\"counts\":\"05X1l0jN\"}\n"
                        + "{\"frame\":1,\"target_id\":2,\"size\":[2,3],\"counts\":\"6\"}\n",
                Files.readString(file, StandardCharsets.UTF_8));
    }

    @Test
    void shouldRoundTripEntriesThroughWriterAndReader() throws IOException {
        Path file = root.resolve("m.jsonl");
        List<MaskFile.Entry> entries = List.of(
                new MaskFile.Entry(1, 4, MASK_8X10),
                new MaskFile.Entry(2, -1, MaskRle.ofRectangle(8, 10, 2, 3, 7, 6)),
                new MaskFile.Entry(7, 0, MaskRle.empty(8, 10)));
        try (MaskFile.Writer w = MaskFile.newWriter(file)) {
            for (MaskFile.Entry e : entries) {
                w.write(e);
            }
        }
        assertEquals(entries, MaskFile.read(file));
    }

    @Test
    void shouldReadKeysInAnyOrderWithExtraKeysBlankLinesAndCrlf() throws IOException {
        Path file = text(
                root.resolve("m.jsonl"),
                "\r\n{\"counts\":\"05X1l0jN\",\"note\":\"x\",\"size\":[8,10],\"target_id\":3,\"frame\":2}\r\n\r\n");
        assertEquals(List.of(new MaskFile.Entry(2, 3, MASK_8X10)), MaskFile.read(file));
    }

    @Test
    void shouldAttachVidMasksByFrameAndTargetId() throws IOException {
        sequence();
        MaskRle other = MaskRle.ofRectangle(8, 10, 1, 0, 6, 1);
        MaskFile.write(
                root.resolve("masks/seq.jsonl"),
                List.of(new MaskFile.Entry(2, 4, other), new MaskFile.Entry(1, 9, MASK_8X10)));

        List<LabeledImage> images = VisDroneDataset.load(root);

        List<Annotation> f1 = images.get(0).annotations();
        assertNull(f1.get(0).mask(), "target 4 in frame 1 has no mask line");
        assertEquals(MASK_8X10, f1.get(1).mask());
        assertEquals(other, images.get(1).annotations().get(0).mask());
    }

    @Test
    void shouldAttachDetMasksByAnnotationLineNumber() throws IOException {
        jpeg(root.resolve("images/img.jpg"), 10, 8);
        text(root.resolve("annotations/img.txt"), "0,0,5,1,1,4,0,0\n\n2,2,3,3,1,1,0,0\n");
        masks("img", line(1, 3, 8, 10, "05X1l0jN"));

        List<Annotation> anns = VisDroneDataset.load(root).get(0).annotations();

        assertNull(anns.get(0).mask());
        assertEquals(3, anns.get(1).targetId());
        assertEquals(MASK_8X10, anns.get(1).mask());
    }

    @Test
    void shouldNameFileAndLineForMaskSizeDifferentFromImage() {
        sequence();
        Path file = masks("seq", line(1, 4, 8, 10, "05X1l0jN") + line(1, 9, 10, 8, "05X1l0jN"));
        assertMaskError(file, 2, "mask size [10, 8] differs from image size [8, 10]");
    }

    @Test
    void shouldNameFileAndLineForMaskNamingNoAnnotation() {
        sequence();
        Path file = masks("seq", line(2, 9, 8, 10, "05X1l0jN"));
        assertMaskError(file, 1, "no annotation with target_id 9 in frame 2");
    }

    @Test
    void shouldNameFileAndLineForMaskOnFrameWithoutImage() {
        sequence();
        Path file = masks("seq", "\n" + line(3, 4, 8, 10, "05X1l0jN"));
        assertMaskError(file, 2, "frame 3 has no image");
    }

    @Test
    void shouldNameFileAndLineForDetMaskOnFrameOtherThanOne() {
        jpeg(root.resolve("images/img.jpg"), 10, 8);
        text(root.resolve("annotations/img.txt"), "0,0,5,1,1,4,0,0\n");
        Path file = masks("img", line(2, 1, 8, 10, "05X1l0jN"));
        assertMaskError(file, 1, "DET masks use frame 1");
    }

    @Test
    void shouldNameFileAndLineForSecondMaskOfOneAnnotation() {
        sequence();
        Path file = masks("seq", line(1, 9, 8, 10, "05X1l0jN") + line(1, 9, 8, 10, "05X1l0jN"));
        assertMaskError(file, 2, "second mask for target_id 9 in frame 1");
    }

    @Test
    void shouldNameFileAndLineForAmbiguousTargetId() {
        frame(root, "seq", 1, 10, 8);
        // VisDrone-VID gives ignored regions a shared target id; a mask cannot pick one of them.
        text(root.resolve("annotations/seq.txt"), "1,0,0,0,5,1,0,0,0,0\n1,0,2,2,3,3,0,0,0,0\n");
        Path file = masks("seq", line(1, 0, 8, 10, "05X1l0jN"));
        assertMaskError(file, 1, "target_id 0 names more than one annotation in frame 1");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '~',
            value = {
                "{\"frame\":1,\"target_id\":4,\"size\":[8,10],\"counts\":\"05X1l0j|invalid JSON",
                "{\"frame\":1,\"target_id\":4,\"size\":[8,10],\"counts\":\"05X1l0jN\"} {\"frame\":2}|invalid JSON",
                "[1,4]|expected a JSON object",
                "{\"frame\":1,\"target_id\":4,\"size\":[8,10]}|\"counts\" must be",
                "{\"frame\":1,\"target_id\":4,\"size\":[8,10],\"counts\":[0,80]}|\"counts\" must be",
                "{\"frame\":1,\"target_id\":\"4\",\"size\":[8,10],\"counts\":\"05X1l0jN\"}|\"target_id\" must be an integer",
                "{\"target_id\":4,\"size\":[8,10],\"counts\":\"05X1l0jN\"}|\"frame\" must be an integer",
                "{\"frame\":0,\"target_id\":4,\"size\":[8,10],\"counts\":\"05X1l0jN\"}|\"frame\" 0 is below 1",
                "{\"frame\":1.5,\"target_id\":4,\"size\":[8,10],\"counts\":\"05X1l0jN\"}|\"frame\" must be an integer",
                "{\"frame\":1,\"target_id\":4,\"size\":[8],\"counts\":\"05X1l0jN\"}|\"size\" must be [height, width]",
                "{\"frame\":1,\"target_id\":4,\"size\":[8,-10],\"counts\":\"05X1l0jN\"}|\"size\" must be",
                "{\"frame\":1,\"target_id\":4,\"size\":[8,10],\"counts\":\"05X1l0j\"}|invalid \"counts\"",
                "{\"frame\":1,\"target_id\":4,\"size\":[8,11],\"counts\":\"05X1l0jN\"}|invalid \"counts\"",
            })
    void shouldNameFileAndLineForMalformedMaskLine(String bad, String problem) {
        sequence();
        Path file = masks("seq", line(1, 9, 8, 10, "05X1l0jN") + "\n" + bad + "\n");
        assertMaskError(file, 3, problem);
        DatasetFormatException direct = assertThrows(DatasetFormatException.class, () -> MaskFile.read(file));
        assertEquals(3, direct.line());
    }

    @Test
    void shouldNameMaskFileWithoutSequence() {
        sequence();
        Path file = masks("elsewhere", line(1, 4, 8, 10, "05X1l0jN"));
        assertMaskError(file, 0, "mask file has no matching sequences entry elsewhere");
    }

    @Test
    void shouldRejectEntryWithFrameBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> new MaskFile.Entry(0, 1, MASK_8X10));
    }
}
