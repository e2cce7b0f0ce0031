package io.skypack.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.schema.Frame;
import io.skypack.schema.ImageEncoding;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlightSourceTest {
    @TempDir
    Path dir;

    @Test
    void shouldReadAVisDroneSequenceInNameOrderWithCaptureTimesAndHeaderSizes() throws IOException {
        Path seq = Files.createDirectories(dir.resolve("sequences/uav0001"));
        ImageIO.write(
                new BufferedImage(32, 16, BufferedImage.TYPE_INT_RGB),
                "jpg",
                seq.resolve("0000002.jpg").toFile());
        ImageIO.write(
                new BufferedImage(8, 4, BufferedImage.TYPE_INT_RGB),
                "png",
                seq.resolve("0000001.png").toFile());
        Files.writeString(seq.resolve("0000003.jpg"), "not an image");
        Files.writeString(seq.resolve("notes.txt"), "ignored");
        Instant t0 = Instant.ofEpochMilli(1_700_000_000_000L);
        FlightSource source = FlightSource.open(dir, "uav0001", 4, t0);
        List<Frame> frames = new ArrayList<>();
        source.forEach(frames::add);
        assertEquals(3, frames.size());
        assertEquals(ImageEncoding.PNG, frames.get(0).getEncoding());
        assertEquals(8, frames.get(0).getWidth());
        assertEquals(32, frames.get(1).getWidth());
        assertEquals(16, frames.get(1).getHeight());
        assertEquals(t0.plusMillis(250), frames.get(1).getCaptureTime());
        assertEquals(0, frames.get(2).getWidth(), "an unreadable file still goes out, for the pipeline to dead-letter");
        assertEquals("uav0001", frames.get(2).getFlightId());
        assertEquals(2, frames.get(2).getFrameIndex());
    }

    @Test
    void shouldOpenAVideoFileByItsExtensionAndTimeFramesByItsTimestamps() throws IOException {
        Path video = TestVideos.write(dir.resolve("Flight.MOV"), TestVideos.frames(5, 96, 64), 25, "mpeg4");
        Instant t0 = Instant.ofEpochMilli(1_700_000_000_000L);
        List<Frame> frames = new ArrayList<>();
        try (FlightSource source = FlightSource.open(video, "uav0002", 999, t0)) {
            assertEquals(-1, source.size(), "not known before the end");
            source.forEach(frames::add);
            assertThrows(IllegalStateException.class, source::iterator, "read once");
        }
        assertEquals(5, frames.size());
        Frame last = frames.get(4);
        assertEquals("uav0002", last.getFlightId());
        assertEquals(4, last.getFrameIndex());
        assertEquals(t0.plusMillis(160), last.getCaptureTime(), "25 fps from the file, not the fps argument");
        assertEquals(96, last.getWidth());
        assertEquals(64, last.getHeight());
        assertEquals(ImageEncoding.JPEG, last.getEncoding());
        assertTrue(FlightSource.isVideo(Path.of("a/b.webm")));
        assertFalse(FlightSource.isVideo(Path.of("a/b.jpg")));
    }

    @Test
    void shouldRefuseWhatIsNotAFlight() throws IOException {
        assertThrows(IllegalArgumentException.class, () -> FlightSource.open(dir, "f", 0, Instant.EPOCH));
        IOException e = assertThrows(IOException.class, () -> FlightSource.open(dir, "f", 30, Instant.EPOCH));
        assertTrue(e.getMessage().contains("no .jpg"), e.getMessage());
        IOException video = assertThrows(
                IOException.class, () -> FlightSource.open(dir.resolve("flight.mp4"), "f", 30, Instant.EPOCH));
        assertEquals(dir.resolve("flight.mp4") + ": no such video file", video.getMessage());
        IOException neither = assertThrows(
                IOException.class, () -> FlightSource.open(dir.resolve("notes.txt"), "f", 30, Instant.EPOCH));
        assertTrue(neither.getMessage().contains("not a folder of images, a VisDrone root or a video file"));
    }

    @Test
    void paceShouldScaleCaptureOffsets() {
        assertEquals(Duration.ofMillis(500), Pace.ORIGINAL.due(Duration.ofMillis(500)));
        assertEquals(Duration.ofMillis(250), Pace.parse("x2").due(Duration.ofMillis(500)));
        assertEquals(Duration.ZERO, Pace.parse("fast").due(Duration.ofHours(1)));
        assertEquals(Duration.ofSeconds(1), Pace.parse("x0.5").due(Duration.ofMillis(500)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pace.parse("warp"));
        assertTrue(e.getMessage().startsWith("pace must be original, fast or xN"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Pace.parse("x0"));
    }
}
