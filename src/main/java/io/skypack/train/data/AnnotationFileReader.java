package io.skypack.train.data;

import io.skypack.detect.Box;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads one VisDrone annotation text file, DET or VID flavour, line by line, into annotations with
 * their frame and line numbers. Accepts the quirks of the real files (blank lines, CRLF, a byte order
 * mark, spaces around fields, trailing commas / empty trailing fields); anything else wrong throws
 * {@link DatasetFormatException} naming the file and the 1-based line.
 */
final class AnnotationFileReader {

    /** The two line formats; VID has the frame index and target id in front of the DET fields. */
    enum Format {
        DET("VisDrone-DET"),
        VID("VisDrone-VID");

        private final String label;

        Format(String label) {
            this.label = label;
        }
    }

    /**
     * One parsed line.
     *
     * @param frame 1-based frame index (always 1 for DET)
     * @param line 1-based physical line number in the file
     */
    record Entry(int frame, int line, Annotation annotation) {}

    private static final List<String> DET_FIELDS = List.of(
            "bbox_left",
            "bbox_top",
            "bbox_width",
            "bbox_height",
            "score",
            "object_category",
            "truncation",
            "occlusion");
    private static final List<String> VID_FIELDS;

    static {
        List<String> vid = new ArrayList<>(List.of("frame_index", "target_id"));
        vid.addAll(DET_FIELDS);
        VID_FIELDS = List.copyOf(vid);
    }

    // Plain decimal numbers only: Double.parseDouble would also take "NaN", "1e3" and "2d".
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)");

    private AnnotationFileReader() {}

    static List<Entry> read(Path file, Format format) throws IOException {
        List<String> names = format == Format.DET ? DET_FIELDS : VID_FIELDS;
        List<Entry> entries = new ArrayList<>();
        for (TextLines.Line line : TextLines.read(file)) {
            entries.add(parseLine(file, line.number(), line.text(), format, names));
        }
        return entries;
    }

    private static Entry parseLine(Path file, int lineNo, String line, Format format, List<String> names)
            throws DatasetFormatException {
        String[] raw = line.split(",", -1);
        int n = raw.length;
        // VisDrone files often end lines with a comma, i.e. an empty last field.
        while (n > 0 && raw[n - 1].isBlank()) {
            n--;
        }
        if (n != names.size()) {
            throw new DatasetFormatException(
                    file,
                    lineNo,
                    "expected " + names.size() + " comma-separated fields (" + format.label + ": "
                            + String.join(",", names) + "), found " + n);
        }
        Fields f = new Fields(file, lineNo, raw, names);
        int b = format == Format.VID ? 2 : 0; // index of bbox_left
        int frame = 1;
        int targetId = lineNo;
        if (format == Format.VID) {
            frame = f.integer(0);
            if (frame < 1) {
                throw new DatasetFormatException(file, lineNo, "frame_index " + frame + " is below 1");
            }
            targetId = f.integer(1);
        }
        double left = f.decimal(b);
        double top = f.decimal(b + 1);
        double width = f.decimal(b + 2);
        double height = f.decimal(b + 3);
        int score = f.integer(b + 4);
        int category = f.integer(b + 5);
        int truncation = f.integer(b + 6);
        int occlusion = f.integer(b + 7);
        if (width < 0 || height < 0) {
            throw new DatasetFormatException(
                    file,
                    lineNo,
                    "negative box size: bbox_width " + raw[b + 2].trim() + ", bbox_height " + raw[b + 3].trim());
        }
        if (score != 0 && score != 1) {
            throw new DatasetFormatException(file, lineNo, "score " + score + " is neither 0 nor 1");
        }
        if (category < 0 || category > VisDroneCategory.OTHERS.id()) {
            throw new DatasetFormatException(file, lineNo, "object_category " + category + " outside 0..11");
        }
        Annotation a = new Annotation(
                targetId, Box.ofXywh(left, top, width, height), category, score, truncation, occlusion, null);
        return new Entry(frame, lineNo, a);
    }

    /** Field access with messages that name the field. */
    private record Fields(Path file, int line, String[] raw, List<String> names) {
        int integer(int i) throws DatasetFormatException {
            String s = raw[i].trim();
            if (INTEGER.matcher(s).matches()) {
                try {
                    return Integer.parseInt(s);
                } catch (NumberFormatException e) {
                    // only overflow gets here; fall through to the message below
                }
            }
            throw new DatasetFormatException(file, line, describe(i) + " is not an integer: '" + s + "'");
        }

        double decimal(int i) throws DatasetFormatException {
            String s = raw[i].trim();
            if (!DECIMAL.matcher(s).matches()) {
                throw new DatasetFormatException(file, line, describe(i) + " is not a number: '" + s + "'");
            }
            return Double.parseDouble(s);
        }

        private String describe(int i) {
            return "field " + (i + 1) + " (" + names.get(i) + ")";
        }
    }
}
