package io.skypack.train.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skypack.detect.MaskRle;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Instance masks for a VisDrone-format dataset: SkyPack's extension, VisDrone itself has none.
 *
 * <p><b>Location.</b> {@code <root>/masks/<sequence>.jsonl} for VisDrone-VID and {@code
 * <root>/masks/<image name>.jsonl} for VisDrone-DET (image name without extension). The file is
 * optional; annotations without a mask line keep a null mask.
 *
 * <p><b>Format.</b> UTF-8 JSON Lines: one JSON object per line, blank lines ignored. For example,
 * the mask of target 12 in frame 3 of an 8 x 10 pixel sequence, runs 0, 5, 40, 33, 2:
 *
 * <pre>{@code
 * {"frame":3,"target_id":12,"size":[8,10],"counts":"05X1l0jN"}
 * }</pre>
 *
 * <ul>
 *   <li>{@code frame}: integer >= 1, the VID frame index (as in the annotation file and the image
 *       name); always 1 for DET.
 *   <li>{@code target_id}: integer, the VID target id of the annotation in that frame; for DET the
 *       1-based line number of the annotation in its annotation file.
 *   <li>{@code size}: {@code [height, width]} in pixels, COCO order; must equal the image's size.
 *   <li>{@code counts}: the mask over the <em>full image</em> in COCO's compact RLE string
 *       (pycocotools {@code rleToString}: column-major runs starting with background), so {@code
 *       pycocotools.mask.decode({"size": size, "counts": counts})} reads it as is.
 * </ul>
 *
 * Other keys are ignored, so the format can grow. Each line must name exactly one annotation, and
 * each annotation gets at most one mask; {@link VisDroneDataset} reports violations with the file
 * and line.
 */
public final class MaskFile {

    /** One mask line. */
    public record Entry(int frame, int targetId, MaskRle mask) {
        public Entry {
            if (frame < 1) {
                throw new IllegalArgumentException("frame " + frame + " is below 1");
            }
            Objects.requireNonNull(mask, "mask");
        }
    }

    /** An entry with the 1-based line it came from, for error messages. */
    record NumberedEntry(int line, Entry entry) {}

    // One object per line: a second value after the first is an error, not silently dropped.
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private MaskFile() {}

    /** Reads every entry, checking each line's syntax (not whether it matches any annotation). */
    public static List<Entry> read(Path file) throws IOException {
        return readNumbered(file).stream().map(NumberedEntry::entry).toList();
    }

    static List<NumberedEntry> readNumbered(Path file) throws IOException {
        List<NumberedEntry> entries = new ArrayList<>();
        for (TextLines.Line line : TextLines.read(file)) {
            entries.add(new NumberedEntry(line.number(), parse(file, line.number(), line.text())));
        }
        return entries;
    }

    private static Entry parse(Path file, int lineNo, String line) throws DatasetFormatException {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new DatasetFormatException(file, lineNo, "invalid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new DatasetFormatException(file, lineNo, "expected a JSON object");
        }
        int frame = intField(file, lineNo, node, "frame");
        if (frame < 1) {
            throw new DatasetFormatException(file, lineNo, "\"frame\" " + frame + " is below 1");
        }
        int targetId = intField(file, lineNo, node, "target_id");
        JsonNode size = node.get("size");
        if (size == null
                || !size.isArray()
                || size.size() != 2
                || !isInt(size.get(0))
                || !isInt(size.get(1))
                || size.get(0).intValue() < 0
                || size.get(1).intValue() < 0) {
            throw new DatasetFormatException(
                    file, lineNo, "\"size\" must be [height, width], two non-negative integers");
        }
        JsonNode counts = node.get("counts");
        if (counts == null || !counts.isTextual()) {
            throw new DatasetFormatException(file, lineNo, "\"counts\" must be a COCO compact RLE string");
        }
        try {
            MaskRle mask = MaskRle.fromCocoString(
                    counts.textValue(), size.get(0).intValue(), size.get(1).intValue());
            return new Entry(frame, targetId, mask);
        } catch (IllegalArgumentException e) {
            throw new DatasetFormatException(file, lineNo, "invalid \"counts\": " + e.getMessage());
        }
    }

    private static int intField(Path file, int lineNo, JsonNode node, String name) throws DatasetFormatException {
        JsonNode v = node.get(name);
        if (!isInt(v)) {
            throw new DatasetFormatException(file, lineNo, "\"" + name + "\" must be an integer");
        }
        return v.intValue();
    }

    private static boolean isInt(JsonNode v) {
        return v != null && v.isIntegralNumber() && v.canConvertToInt();
    }

    /** One line of the file, without the line break. */
    static String format(Entry e) {
        ObjectNode node = JSON.createObjectNode();
        node.put("frame", e.frame());
        node.put("target_id", e.targetId());
        node.putArray("size").add(e.mask().height()).add(e.mask().width());
        node.put("counts", e.mask().toCocoString());
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** Writes {@code entries} to {@code file}, replacing it and creating missing parent folders. */
    public static void write(Path file, List<Entry> entries) throws IOException {
        try (Writer w = newWriter(file)) {
            for (Entry e : entries) {
                w.write(e);
            }
        }
    }

    /**
     * Opens {@code file} for writing, replacing it and creating missing parent folders; entries are
     * appended one line each, in call order.
     */
    public static Writer newWriter(Path file) throws IOException {
        createParent(file);
        return new Writer(Files.newBufferedWriter(file, StandardCharsets.UTF_8));
    }

    static void createParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }

    /** Appends entries to a mask file one line at a time; not thread-safe. */
    public static final class Writer implements Closeable {
        private final BufferedWriter out;

        private Writer(BufferedWriter out) {
            this.out = out;
        }

        public void write(Entry entry) throws IOException {
            out.write(format(entry));
            out.write('\n');
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
