package io.skypack.eval;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skypack.detect.Box;
import io.skypack.detect.Detection;
import io.skypack.detect.MaskRle;
import io.skypack.train.data.TextLines;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes detections files.
 *
 * <p>The format is JSON lines, one detection per line:
 *
 * <pre>{@code
 * {"image_id": "seq/0000001", "category_id": 4, "bbox": [x, y, w, h], "score": 0.93,
 *  "segmentation": {"size": [h, w], "counts": "<COCO compact RLE string>"}}
 * }</pre>
 *
 * <p>{@code bbox} is COCO's left, top, width, height in pixels of the image; {@code score} is in [0,
 * 1]; {@code segmentation} is optional, a full-image mask in COCO RLE ({@code counts} may also be
 * COCO's uncompressed integer array). The reader also takes a COCO results file, a JSON array of the
 * same objects (recognised by its first non-blank character {@code [}). Blank lines are skipped.
 */
public final class DetectionsFile {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private DetectionsFile() {}

    /**
     * Reads a detections file.
     *
     * @return detections per image id, image ids in order of first appearance, detections in file
     *     order
     * @throws DetectionsFileException naming the file and line when a detection is malformed
     */
    public static Map<String, List<Detection>> read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Map<String, List<Detection>> out = new LinkedHashMap<>();
        if (text.stripLeading().startsWith("[")) {
            readArray(file, text, out);
        } else {
            readLines(file, text, out);
        }
        return out;
    }

    private static void readLines(Path file, String text, Map<String, List<Detection>> out) throws IOException {
        for (TextLines.Line line : TextLines.of(text)) {
            JsonNode node;
            try {
                node = MAPPER.readTree(line.text());
            } catch (JsonProcessingException e) {
                throw new DetectionsFileException(file, line.number(), "not valid JSON: " + e.getOriginalMessage());
            }
            add(out, parse(file, line.number(), node));
        }
    }

    private static void readArray(Path file, String text, Map<String, List<Detection>> out) throws IOException {
        try (JsonParser parser = MAPPER.createParser(text)) {
            parser.nextToken(); // the opening '['
            while (true) {
                JsonToken token;
                try {
                    token = parser.nextToken();
                } catch (JsonProcessingException e) {
                    throw syntaxError(file, e);
                }
                if (token == JsonToken.END_ARRAY) {
                    break;
                }
                if (token == null) {
                    throw new DetectionsFileException(
                            file, parser.currentLocation().getLineNr(), "the JSON array is not closed");
                }
                int lineNr = parser.currentTokenLocation().getLineNr();
                JsonNode node;
                try {
                    node = MAPPER.readTree(parser);
                } catch (JsonProcessingException e) {
                    throw syntaxError(file, e);
                }
                add(out, parse(file, lineNr, node));
            }
        }
    }

    private static DetectionsFileException syntaxError(Path file, JsonProcessingException e) {
        int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
        return new DetectionsFileException(file, line, "not valid JSON: " + e.getOriginalMessage());
    }

    private static void add(Map<String, List<Detection>> out, Parsed p) {
        out.computeIfAbsent(p.imageId, id -> new ArrayList<>()).add(p.detection);
    }

    private record Parsed(String imageId, Detection detection) {}

    private static Parsed parse(Path file, int line, JsonNode node) throws DetectionsFileException {
        if (!node.isObject()) {
            throw new DetectionsFileException(file, line, "expected a JSON object, found " + node.getNodeType());
        }
        JsonNode imageId = required(file, line, node, "image_id");
        if (!imageId.isTextual()) {
            throw new DetectionsFileException(file, line, "image_id must be a string");
        }
        JsonNode category = required(file, line, node, "category_id");
        if (!category.isIntegralNumber()) {
            throw new DetectionsFileException(file, line, "category_id must be an integer");
        }
        JsonNode bbox = required(file, line, node, "bbox");
        if (!bbox.isArray() || bbox.size() != 4 || !allNumbers(bbox)) {
            throw new DetectionsFileException(file, line, "bbox must be an array of 4 numbers [x, y, w, h]");
        }
        double w = bbox.get(2).asDouble();
        double h = bbox.get(3).asDouble();
        if (!(w >= 0)) {
            throw new DetectionsFileException(file, line, "bbox has negative width " + w);
        }
        if (!(h >= 0)) {
            throw new DetectionsFileException(file, line, "bbox has negative height " + h);
        }
        JsonNode score = required(file, line, node, "score");
        if (!score.isNumber()) {
            throw new DetectionsFileException(file, line, "score must be a number");
        }
        if (!(score.asDouble() >= 0 && score.asDouble() <= 1)) {
            throw new DetectionsFileException(file, line, "score outside [0, 1]: " + score.asDouble());
        }
        MaskRle mask = null;
        JsonNode seg = node.get("segmentation");
        if (seg != null && !seg.isNull()) {
            mask = parseMask(file, line, seg);
        }
        Box box = Box.ofXywh(bbox.get(0).asDouble(), bbox.get(1).asDouble(), w, h);
        return new Parsed(imageId.asText(), new Detection(box, category.asInt(), score.asDouble(), mask));
    }

    private static MaskRle parseMask(Path file, int line, JsonNode seg) throws DetectionsFileException {
        if (!seg.isObject()) {
            throw new DetectionsFileException(file, line, "segmentation must be an RLE object {size, counts}");
        }
        JsonNode size = seg.get("size");
        if (size == null
                || !size.isArray()
                || size.size() != 2
                || !size.get(0).isIntegralNumber()
                || !size.get(1).isIntegralNumber()) {
            throw new DetectionsFileException(file, line, "segmentation.size must be [height, width]");
        }
        int h = size.get(0).asInt();
        int w = size.get(1).asInt();
        JsonNode counts = seg.get("counts");
        try {
            if (counts != null && counts.isTextual()) {
                return MaskRle.fromCocoString(counts.asText(), h, w);
            }
            if (counts != null && counts.isArray() && allIntegers(counts)) {
                int[] c = new int[counts.size()];
                for (int i = 0; i < c.length; i++) {
                    c[i] = counts.get(i).asInt();
                }
                return MaskRle.ofCounts(h, w, c);
            }
        } catch (IllegalArgumentException e) {
            throw new DetectionsFileException(file, line, "bad RLE in segmentation: " + e.getMessage());
        }
        throw new DetectionsFileException(
                file, line, "segmentation.counts must be a COCO RLE string or an array of integers");
    }

    private static JsonNode required(Path file, int line, JsonNode node, String field) throws DetectionsFileException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new DetectionsFileException(file, line, "missing field '" + field + "'");
        }
        return v;
    }

    private static boolean allNumbers(JsonNode array) {
        for (JsonNode v : array) {
            if (!v.isNumber()) {
                return false;
            }
        }
        return true;
    }

    private static boolean allIntegers(JsonNode array) {
        for (JsonNode v : array) {
            if (!v.isIntegralNumber()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes detections as JSON lines (the format {@link #read} takes), images in map order,
     * detections in list order; masks as COCO compact RLE strings.
     */
    public static void write(Path file, Map<String, List<Detection>> detections) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Map.Entry<String, List<Detection>> e : detections.entrySet()) {
                for (Detection d : e.getValue()) {
                    out.write(MAPPER.writeValueAsString(toNode(e.getKey(), d)));
                    out.newLine();
                }
            }
        }
    }

    private static ObjectNode toNode(String imageId, Detection d) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("image_id", imageId);
        n.put("category_id", d.category());
        ArrayNode bbox = n.putArray("bbox");
        bbox.add(d.box().x1())
                .add(d.box().y1())
                .add(d.box().width())
                .add(d.box().height());
        n.put("score", d.score());
        if (d.mask() != null) {
            ObjectNode seg = n.putObject("segmentation");
            seg.putArray("size").add(d.mask().height()).add(d.mask().width());
            seg.put("counts", d.mask().toCocoString());
        }
        return n;
    }
}
