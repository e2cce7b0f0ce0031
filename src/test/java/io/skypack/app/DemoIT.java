package io.skypack.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The README's main command end to end, on real components: an in-process KRaft broker, Apicurio in a
 * child JVM, Avro in the Confluent wire format, the bundled model in DJL. A generated flight goes in;
 * one committed detections record per frame, in order, with masks, comes out, and the corrupt frame
 * sent after it is dead-lettered with its reason while the pipeline goes on.
 */
class DemoIT {
    @TempDir
    Path out;

    @Test
    void demoShouldStreamDetectionsWithMasksForEveryFrameAndDeadLetterTheCorruptOne() throws Exception {
        StringWriter text = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(text, true));
        cli.setErr(new PrintWriter(text, true));
        int code =
                cli.execute("demo", "--frames", "4", "--bad-frames", "1", "--out", out.toString(), "--timeout", "240");
        String printed = text.toString();
        assertEquals(0, code, printed);
        String summary = Files.readString(out.resolve("summary.txt"));
        assertTrue(
                summary.contains(
                        ": 4 frames sent (+ corrupt ones), 4 detections records (in frame order), 1 dead-lettered, 0 skipped"),
                summary);
        assertTrue(summary.contains("dead letter: CORRUPT_IMAGE"), summary);
        Matcher m = Pattern.compile("(\\d+) detections, (\\d+) with masks").matcher(summary);
        assertTrue(m.find(), summary);
        long detections = Long.parseLong(m.group(1)), masks = Long.parseLong(m.group(2));
        assertTrue(detections >= 4, "the bundled model finds objects in a generated flight: " + summary);
        assertEquals(detections, masks, "every detection carries its mask");
        assertTrue(summary.contains("uav.flight-stats"), "flight statistics came out too: " + summary);
        try (var overlays = Files.list(out.resolve("overlays"))) {
            assertEquals(4, overlays.count());
        }
    }
}
