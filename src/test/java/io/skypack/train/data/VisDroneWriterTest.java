package io.skypack.train.data;

import static io.skypack.train.data.DatasetFiles.frame;
import static io.skypack.train.data.DatasetFiles.jpeg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.skypack.detect.Box;
import io.skypack.detect.MaskRle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VisDroneWriterTest {

    @TempDir
    Path root;

    private static Annotation ann(int targetId, Box box, int category) {
        return new Annotation(targetId, box, category, 1, 0, 1, null);
    }

    @Test
    void shouldFormatDetLineWithEachBoxNumberRoundedHalfUp() {
        // left 10.4 -> 10, top 20.5 -> 21, width 5.5 -> 6, height 7.49 -> 7
        Annotation a = new Annotation(99, Box.ofXywh(10.4, 20.5, 5.5, 7.49), 4, 0, 1, 2, null);
        assertEquals("10,21,6,7,0,4,1,2", VisDroneWriter.formatDet(a));
    }

    @Test
    void shouldFormatVidLineWithFrameAndTargetIdFirst() {
        Annotation a = new Annotation(17, Box.ofXywh(1, 2, 3, 4), 11, 1, 0, 0, null);
        assertEquals("5,17,1,2,3,4,1,11,0,0", VisDroneWriter.formatVid(5, a));
    }

    @Test
    void shouldRefuseFrameBelowOneAndUnknownCategory() {
        Annotation ok = ann(1, Box.ofXywh(0, 0, 1, 1), 4);
        assertThrows(IllegalArgumentException.class, () -> VisDroneWriter.formatVid(0, ok));
        assertThrows(IllegalArgumentException.class, () -> VisDroneWriter.formatDet(ann(1, ok.box(), 12)));
        assertThrows(IllegalArgumentException.class, () -> VisDroneWriter.formatDet(ann(1, ok.box(), -1)));
    }

    @Test
    void shouldWriteVidFramesInAscendingOrder() throws IOException {
        Path file = root.resolve("annotations/seq.txt");
        VisDroneWriter.writeVid(
                file,
                Map.of(
                        3, List.of(ann(2, Box.ofXywh(0, 0, 1, 1), 1)),
                        1, List.of(ann(7, Box.ofXywh(1, 1, 2, 2), 4), ann(3, Box.ofXywh(2, 2, 1, 1), 0))));

        assertEquals(
                "1,7,1,1,2,2,1,4,0,1\n1,3,2,2,1,1,1,0,0,1\n3,2,0,0,1,1,1,1,0,1\n",
                Files.readString(file, StandardCharsets.UTF_8));
    }

    @Test
    void shouldRoundTripVidLayoutWithMasksThroughLoader() throws IOException {
        for (int f = 1; f <= 3; f++) {
            frame(root, "flight_0001", f, 12, 9);
        }
        List<Annotation> frame1 = List.of(ann(1, Box.ofXywh(0, 0, 4, 3), 4), ann(2, Box.ofXywh(5, 5, 2, 2), 0));
        List<Annotation> frame3 = List.of(ann(1, Box.ofXywh(1, 0, 4, 3), 4));
        VisDroneWriter.writeVid(root.resolve("annotations/flight_0001.txt"), Map.of(1, frame1, 3, frame3));
        MaskRle mask = MaskRle.ofRectangle(9, 12, 1, 0, 5, 3);
        MaskFile.write(root.resolve("masks/flight_0001.jsonl"), List.of(new MaskFile.Entry(3, 1, mask)));

        List<LabeledImage> images = VisDroneDataset.load(root);

        assertEquals(frame1, images.get(0).annotations());
        assertEquals(List.of(), images.get(1).annotations());
        assertEquals(List.of(frame3.get(0).withMask(mask)), images.get(2).annotations());
    }

    @Test
    void shouldRoundTripDetLayoutWithLineNumbersAsTargetIds() throws IOException {
        jpeg(root.resolve("images/0000001_00000_d_0000001.jpg"), 20, 10);
        List<Annotation> written = List.of(
                ann(1, Box.ofXywh(3, 4, 5, 6), 1),
                ann(2, Box.ofXywh(0, 0, 20, 10), 11),
                ann(3, Box.ofXywh(9, 1, 0, 0), 0));
        VisDroneWriter.writeDet(root.resolve("annotations/0000001_00000_d_0000001.txt"), written);

        assertEquals(written, VisDroneDataset.load(root).get(0).annotations());
    }
}
