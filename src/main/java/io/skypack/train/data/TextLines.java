package io.skypack.train.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The non-blank lines of a line-oriented text file (annotations, masks, detections) with their
 * 1-based line numbers, so every parse error can name its line. A leading byte-order mark is
 * dropped; CRLF and LF both end a line.
 */
public final class TextLines {
    private TextLines() {}

    /** One non-blank line and its 1-based number in the file. */
    public record Line(int number, String text) {}

    /** Reads a UTF-8 file. */
    public static List<Line> read(Path file) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return collect(in);
        }
    }

    /** Splits text already in memory. */
    public static List<Line> of(String text) throws IOException {
        try (BufferedReader in = new BufferedReader(new StringReader(text))) {
            return collect(in);
        }
    }

    private static List<Line> collect(BufferedReader in) throws IOException {
        List<Line> lines = new ArrayList<>();
        int number = 0;
        for (String line; (line = in.readLine()) != null; ) {
            number++;
            if (number == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (!line.isBlank()) {
                lines.add(new Line(number, line));
            }
        }
        return lines;
    }
}
