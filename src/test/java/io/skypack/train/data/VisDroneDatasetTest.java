package io.skypack.train.data;

import static io.skypack.train.data.DatasetFiles.frame;
import static io.skypack.train.data.DatasetFiles.jpeg;
import static io.skypack.train.data.DatasetFiles.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.detect.Box;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VisDroneDatasetTest {

    @TempDir
    Path root;

    /** Loading fails with the file, the line (0: none) and a phrase of the problem. */
    private DatasetFormatException assertFormatError(Path file, int line, String problem) {
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> VisDroneDataset.load(root));
        assertEquals(file, e.file(), e.getMessage());
        assertEquals(line, e.line(), e.getMessage());
        String where = line > 0 ? file + ":" + line + ": " : file + ": ";
        assertTrue(e.getMessage().startsWith(where), e.getMessage());
        assertTrue(e.problem().contains(problem), e.getMessage());
        return e;
    }

    private Path detImage(String name, int width, int height, String annotations) {
        jpeg(root.resolve("images").resolve(name + ".jpg"), width, height);
        return text(root.resolve("annotations").resolve(name + ".txt"), annotations);
    }

    private Path vidSequence(String seq, int frames, int width, int height, String annotations) {
        for (int f = 1; f <= frames; f++) {
            frame(root, seq, f, width, height);
        }
        return text(root.resolve("annotations").resolve(seq + ".txt"), annotations);
    }

    // --- VisDrone-DET ---

    @Test
    void shouldLoadDetImagesByNameWithHeaderSizesAndLineNumbersAsTargetIds() throws IOException {
        detImage("b_0002", 20, 10, "");
        detImage("a_0001", 40, 30, "684,8,273,116,0,0,0,0\n10,20,5,6,1,4,1,2\n");

        List<LabeledImage> images = VisDroneDataset.load(root);

        assertEquals(
                List.of("a_0001", "b_0002"),
                images.stream().map(LabeledImage::id).toList());
        LabeledImage a = images.get(0);
        assertEquals(root.resolve("images/a_0001.jpg"), a.image());
        assertEquals(40, a.width());
        assertEquals(30, a.height());
        assertEquals(
                List.of(
                        new Annotation(1, Box.ofXywh(684, 8, 273, 116), 0, 0, 0, 0, null),
                        new Annotation(2, new Box(10, 20, 15, 26), 4, 1, 1, 2, null)),
                a.annotations());
        assertEquals(20, images.get(1).width());
        assertEquals(10, images.get(1).height());
        assertEquals(List.of(), images.get(1).annotations());
    }

    @Test
    void shouldKeepIgnoredRegionsAndOthers() throws IOException {
        detImage("img", 8, 8, "0,0,4,4,0,0,0,0\n1,1,2,2,1,11,0,0\n2,2,1,1,1,10,0,0\n");

        List<Annotation> anns = VisDroneDataset.load(root).get(0).annotations();

        assertEquals(List.of(0, 11, 10), anns.stream().map(Annotation::category).toList());
        assertTrue(anns.get(0).isIgnoredRegion());
    }

    @Test
    void shouldAcceptTrailingCommasBlankLinesCrlfAndByteOrderMark() throws IOException {
        detImage("img", 8, 8, "\uFEFF1,2,3,4,1,4,0,0,\r\n\r\n 5, 6 ,7,8,0,1,0,0, ,\r\n   \n9,9,0,0,1,2,0,0");

        List<Annotation> anns = VisDroneDataset.load(root).get(0).annotations();

        assertEquals(3, anns.size());
        // target ids are physical line numbers: the blank lines 2 and 4 count
        assertEquals(List.of(1, 3, 5), anns.stream().map(Annotation::targetId).toList());
        assertEquals(Box.ofXywh(1, 2, 3, 4), anns.get(0).box());
        assertEquals(Box.ofXywh(5, 6, 7, 8), anns.get(1).box());
        assertEquals(Box.ofXywh(9, 9, 0, 0), anns.get(2).box(), "zero-size boxes are kept");
    }

    @Test
    void shouldAcceptDecimalBoxValues() throws IOException {
        detImage("img", 8, 8, "1.5,2.25,3.0,4,1,4,0,0\n");

        assertEquals(
                Box.ofXywh(1.5, 2.25, 3, 4),
                VisDroneDataset.load(root).get(0).annotations().get(0).box());
    }

    @Test
    void shouldReadPngAndUppercaseExtensionsAndIgnoreOtherFiles() throws IOException {
        jpeg(root.resolve("images/upper.JPG"), 5, 6);
        text(root.resolve("annotations/upper.txt"), "");
        text(root.resolve("images/notes.md"), "not an image");
        text(root.resolve("annotations/README"), "not an annotation file");

        List<LabeledImage> images = VisDroneDataset.load(root);

        assertEquals(1, images.size());
        assertEquals("upper", images.get(0).id());
        assertEquals(6, images.get(0).height());
    }

    @Test
    void shouldNameFileAndLineForNonNumericField() {
        Path file = detImage("img", 8, 8, "1,2,3,4,1,4,0,0\n1,2,x,4,1,4,0,0\n");
        assertFormatError(file, 2, "field 3 (bbox_width) is not a number: 'x'");
    }

    @Test
    void shouldNameFileAndLineForNonIntegerCategory() {
        Path file = detImage("img", 8, 8, "1,2,3,4,1,4.5,0,0\n");
        assertFormatError(file, 1, "field 6 (object_category) is not an integer: '4.5'");
    }

    @Test
    void shouldNameFileAndLineForEmptyFieldInTheMiddle() {
        Path file = detImage("img", 8, 8, "1,2,,4,1,4,0,0\n");
        assertFormatError(file, 1, "field 3 (bbox_width)");
    }

    @Test
    void shouldNameFileAndLineForSpecialFloatingPointWords() {
        Path file = detImage("img", 8, 8, "NaN,2,3,4,1,4,0,0\n");
        assertFormatError(file, 1, "field 1 (bbox_left) is not a number");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {"1,2,3,4,1,4,0|7", "1,2,3,4,1,4,0,0,9|9", "1,2,3,4,1,4,0,,0|9"})
    void shouldNameFileAndLineForWrongFieldCount(String line, int found) {
        Path file = detImage("img", 8, 8, "\n" + line + "\n");
        String problem = assertFormatError(file, 2, "found " + found).problem();
        assertTrue(problem.startsWith("expected 8 comma-separated fields (VisDrone-DET"), problem);
    }

    @ParameterizedTest
    @CsvSource({"12", "-1", "99"})
    void shouldNameFileAndLineForCategoryOutsideRange(int category) {
        Path file = detImage("img", 8, 8, "1,2,3,4,1,4,0,0\n1,2,3,4,1,4,0,0\n1,2,3,4,1," + category + ",0,0\n");
        assertFormatError(file, 3, "object_category " + category + " outside 0..11");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {"1,2,-3,4|bbox_width -3", "1,2,3,-4|bbox_height -4"})
    void shouldNameFileAndLineForNegativeSize(String box, String problem) {
        Path file = detImage("img", 8, 8, box + ",1,4,0,0\n");
        String message = assertFormatError(file, 1, problem).problem();
        assertTrue(message.startsWith("negative box size"), message);
    }

    @Test
    void shouldNameFileAndLineForScoreOtherThanZeroOrOne() {
        Path file = detImage("img", 8, 8, "1,2,3,4,2,4,0,0\n");
        assertFormatError(file, 1, "score 2 is neither 0 nor 1");
    }

    @Test
    void shouldNameImageWithoutAnnotationFile() {
        Path image = jpeg(root.resolve("images/lonely.jpg"), 4, 4);
        text(root.resolve("annotations/.keep"), "");
        assertFormatError(image, 0, "image has no annotation file");
    }

    @Test
    void shouldNameDetAnnotationFileWithoutImage() {
        detImage("img", 4, 4, "");
        Path orphan = text(root.resolve("annotations/orphan.txt"), "1,2,3,4,1,4,0,0\n");
        assertFormatError(orphan, 0, "annotation file has no image");
    }

    @Test
    void shouldNameUnreadableImage() {
        Path image = text(root.resolve("images/broken.jpg"), "this is not a JPEG");
        text(root.resolve("annotations/broken.txt"), "");
        assertFormatError(image, 0, "not an image");
    }

    @Test
    void shouldRejectRootWithBothLayouts() throws IOException {
        Files.createDirectories(root.resolve("images"));
        Files.createDirectories(root.resolve("sequences"));
        Files.createDirectories(root.resolve("annotations"));
        assertFormatError(root, 0, "both images/");
    }

    @Test
    void shouldRejectRootWithNeitherLayout() throws IOException {
        Files.createDirectories(root.resolve("annotations"));
        assertFormatError(root, 0, "neither images/");
    }

    @Test
    void shouldNameMissingAnnotationFolder() throws IOException {
        jpeg(root.resolve("images/img.jpg"), 4, 4);
        assertFormatError(root.resolve("annotations"), 0, "annotation folder missing");
    }

    // --- VisDrone-VID ---

    @Test
    void shouldLoadVidSequencesWithFrameIdsAndEmptyFrames() throws IOException {
        vidSequence(
                "uav0000013_00000_v",
                3,
                32,
                24,
                "3,7,1,2,3,4,1,4,0,1\r\n1,5,10,11,12,13,1,1,1,0\r\n1,0,0,0,5,5,0,0,0,0\r\n");
        vidSequence("uav0000002_00000_v", 1, 16, 8, "1,1,0,0,2,2,1,9,0,0\n");

        List<LabeledImage> images = VisDroneDataset.load(root);

        assertEquals(
                List.of(
                        "uav0000002_00000_v/0000001",
                        "uav0000013_00000_v/0000001",
                        "uav0000013_00000_v/0000002",
                        "uav0000013_00000_v/0000003"),
                images.stream().map(LabeledImage::id).toList());
        LabeledImage f1 = images.get(1);
        assertEquals(root.resolve("sequences/uav0000013_00000_v/0000001.jpg"), f1.image());
        assertEquals(32, f1.width());
        assertEquals(24, f1.height());
        assertEquals(
                List.of(
                        new Annotation(5, Box.ofXywh(10, 11, 12, 13), 1, 1, 1, 0, null),
                        new Annotation(0, Box.ofXywh(0, 0, 5, 5), 0, 0, 0, 0, null)),
                f1.annotations());
        assertEquals(List.of(), images.get(2).annotations());
        assertEquals(
                List.of(new Annotation(7, Box.ofXywh(1, 2, 3, 4), 4, 1, 0, 1, null)),
                images.get(3).annotations());
        assertEquals(9, images.get(0).annotations().get(0).category());
    }

    @Test
    void shouldListSequencesAndLoadOneAtATime() throws IOException {
        vidSequence("seqB", 2, 8, 8, "2,1,0,0,1,1,1,1,0,0\n");
        vidSequence("seqA", 1, 8, 8, "");

        assertEquals(List.of("seqA", "seqB"), VisDroneDataset.sequences(root));
        List<LabeledImage> b = VisDroneDataset.loadSequence(root, "seqB");
        assertEquals(
                List.of("seqB/0000001", "seqB/0000002"),
                b.stream().map(LabeledImage::id).toList());
        assertEquals(1, b.get(1).annotations().size());
        assertEquals(VisDroneDataset.Layout.VID, VisDroneDataset.detectLayout(root));
    }

    @Test
    void shouldNameFileAndLineForFrameIndexWithoutImage() {
        Path file = vidSequence("seq", 2, 8, 8, "1,1,0,0,1,1,1,1,0,0\n3,1,0,0,1,1,1,1,0,0\n");
        assertFormatError(file, 2, "frame_index 3 has no image 0000003.jpg");
    }

    @Test
    void shouldNameFileAndLineForFrameIndexZero() {
        Path file = vidSequence("seq", 1, 8, 8, "0,1,0,0,1,1,1,1,0,0\n");
        assertFormatError(file, 1, "frame_index 0 is below 1");
    }

    @Test
    void shouldNameFileAndLineForNonNumericTargetId() {
        Path file = vidSequence("seq", 1, 8, 8, "1,1,0,0,1,1,1,1,0,0\n\n1,a7,0,0,1,1,1,1,0,0\n");
        assertFormatError(file, 3, "field 2 (target_id) is not an integer: 'a7'");
    }

    @Test
    void shouldNameFileAndLineForDetLineInVidFile() {
        Path file = vidSequence("seq", 1, 8, 8, "0,0,1,1,1,1,0,0\n");
        assertFormatError(file, 1, "expected 10 comma-separated fields (VisDrone-VID");
    }

    @Test
    void shouldNameFileAndLineForVidCategoryOutsideRange() {
        Path file = vidSequence("seq", 1, 8, 8, "1,1,0,0,1,1,1,12,0,0\n");
        assertFormatError(file, 1, "object_category 12 outside 0..11");
    }

    @Test
    void shouldNameVidAnnotationFileWithoutImageFolder() {
        vidSequence("seq", 1, 8, 8, "");
        Path orphan = text(root.resolve("annotations/ghost.txt"), "");
        assertFormatError(orphan, 0, "annotation file has no image folder");
    }

    @Test
    void shouldNameSequenceFolderWithoutAnnotationFile() {
        vidSequence("seq", 1, 8, 8, "");
        frame(root, "unlabeled", 1, 8, 8);
        assertFormatError(root.resolve("sequences/unlabeled"), 0, "sequence folder has no annotation file");
    }

    @Test
    void shouldNameFrameImageWithoutSevenDigitName() {
        vidSequence("seq", 1, 8, 8, "");
        Path odd = jpeg(root.resolve("sequences/seq/frame2.jpg"), 8, 8);
        assertFormatError(odd, 0, "not a 7-digit frame index");
    }

    @Test
    void shouldNameUnknownSequenceWhenLoadingOne() {
        vidSequence("seq", 1, 8, 8, "");
        DatasetFormatException e =
                assertThrows(DatasetFormatException.class, () -> VisDroneDataset.loadSequence(root, "nope"));
        assertEquals(root.resolve("sequences/nope"), e.file());
        assertTrue(e.getMessage().contains("no such sequence folder"), e.getMessage());
    }
}
