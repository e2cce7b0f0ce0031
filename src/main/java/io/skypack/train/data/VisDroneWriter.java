package io.skypack.train.data;

import io.skypack.detect.Box;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes VisDrone annotation text files, the inverse of {@link VisDroneDataset}'s readers. Boxes are
 * written as VisDrone does, integer pixels: left, top, width and height each rounded half up
 * ({@link Math#round(double)}), so sub-pixel boxes lose up to half a pixel per number. Masks are not
 * part of these files; write them with {@link MaskFile}. Lines end with {@code \n}, no trailing
 * comma. The file writers replace existing files and create missing parent folders.
 */
public final class VisDroneWriter {

    private VisDroneWriter() {}

    /**
     * A VisDrone-DET line: {@code
     * bbox_left,bbox_top,bbox_width,bbox_height,score,object_category,truncation,occlusion}. The
     * target id is not written: DET has no such column, readers number annotations by line.
     */
    public static String formatDet(Annotation a) {
        checkCategory(a);
        Box b = a.box();
        return Math.round(b.x1()) + "," + Math.round(b.y1()) + "," + Math.round(b.width()) + ","
                + Math.round(b.height()) + "," + a.scoreFlag() + "," + a.category() + "," + a.truncation() + ","
                + a.occlusion();
    }

    /**
     * A VisDrone-VID line: {@code frame_index,target_id,} followed by the {@link #formatDet DET
     * fields}.
     *
     * @param frame 1-based frame index, the number in the frame's image name
     */
    public static String formatVid(int frame, Annotation a) {
        if (frame < 1) {
            throw new IllegalArgumentException("frame index " + frame + " is below 1");
        }
        return frame + "," + a.targetId() + "," + formatDet(a);
    }

    /**
     * Writes one VisDrone-DET annotation file, replacing it. Read back, annotation {@code i}
     * (0-based) gets target id {@code i + 1}.
     */
    public static void writeDet(Path file, List<Annotation> annotations) throws IOException {
        MaskFile.createParent(file);
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Annotation a : annotations) {
                out.write(formatDet(a));
                out.write('\n');
            }
        }
    }

    /**
     * Writes one VisDrone-VID annotation file ({@code annotations/<sequence>.txt}), replacing it:
     * frames in ascending order, each frame's annotations in list order.
     *
     * @param annotationsByFrame 1-based frame index to that frame's annotations; frames without
     *     objects may be absent
     */
    public static void writeVid(Path file, Map<Integer, List<Annotation>> annotationsByFrame) throws IOException {
        MaskFile.createParent(file);
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Map.Entry<Integer, List<Annotation>> e : new TreeMap<>(annotationsByFrame).entrySet()) {
                for (Annotation a : e.getValue()) {
                    out.write(formatVid(e.getKey(), a));
                    out.write('\n');
                }
            }
        }
    }

    private static void checkCategory(Annotation a) {
        if (a.category() < 0 || a.category() > VisDroneCategory.OTHERS.id()) {
            throw new IllegalArgumentException("category " + a.category() + " outside 0..11");
        }
    }
}
