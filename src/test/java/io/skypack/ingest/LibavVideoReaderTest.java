package io.skypack.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The bundled FFmpeg libraries, in-process: files encoded here, and streams sent over loopback. */
@Timeout(120)
class LibavVideoReaderTest {
    @TempDir
    Path dir;

    @Test
    void shouldReadBackEveryFrameOfAnEncodedVideoWithItsSizeAndTimestamps() throws IOException {
        Path video = TestVideos.write(dir.resolve("flight.mp4"), TestVideos.frames(12, 320, 240), 10, "libopenh264");
        Instant t0 = Instant.ofEpochMilli(1_700_000_000_000L);
        List<VideoFrame> frames = readAll(VideoReader.openRecording(video.toString(), VideoOptions.DEFAULTS, t0));
        assertEquals(12, frames.size());
        for (int i = 0; i < frames.size(); i++) {
            VideoFrame f = frames.get(i);
            assertEquals(i, f.index());
            assertEquals(320, f.width());
            assertEquals(240, f.height());
            assertEquals(t0.plusMillis(100L * i), f.captureTime(), "frame " + i);
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(f.jpeg()));
            assertEquals(320, img.getWidth());
            assertTrue(brightness(img, TestVideos.squareX(i) + 8, 120) > 200, "the square of frame " + i);
        }
    }

    @Test
    void shouldKeepOneFramePerPeriodAtMaxFps() throws IOException {
        Path video = TestVideos.write(dir.resolve("flight.mkv"), TestVideos.frames(30, 160, 120), 30, "mpeg4");
        List<VideoFrame> frames = readAll(
                VideoReader.openRecording(video.toString(), VideoOptions.DEFAULTS.withMaxFps(10), Instant.EPOCH));
        assertEquals(10, frames.size());
        assertEquals(Instant.EPOCH.plusMillis(100), frames.get(1).captureTime());
        assertEquals(9, frames.get(9).index(), "indexes count the frames handed out");
    }

    @Test
    void shouldNameTheInputAndFfmpegsReasonWhenItCannotBeOpened() {
        IOException missing = assertThrows(
                IOException.class,
                () -> VideoReader.openRecording(
                        dir.resolve("missing.mp4").toString(), VideoOptions.DEFAULTS, Instant.EPOCH));
        assertTrue(missing.getMessage().contains("missing.mp4"), missing.getMessage());
        assertTrue(missing.getMessage().contains("No such file"), missing.getMessage());

        IOException refused = assertThrows(
                IOException.class, () -> VideoReader.openLive("tcp://127.0.0.1:" + freePort(), VideoOptions.DEFAULTS));
        assertTrue(refused.getMessage().contains("Connection refused"), refused.getMessage());
    }

    @Test
    void shouldRefuseAnInputOptionFfmpegDoesNotKnow() throws IOException {
        Path video = TestVideos.write(dir.resolve("flight.mp4"), TestVideos.frames(2, 64, 64), 10, "mpeg4");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> VideoReader.openRecording(
                        video.toString(),
                        VideoOptions.DEFAULTS.withInputOptions(java.util.Map.of("no_such_option", "1")),
                        Instant.EPOCH));
        assertTrue(e.getMessage().contains("no_such_option"), e.getMessage());
    }

    @Test
    void shouldReadAnMpegTsStreamSentOverLoopbackWithWallClockCaptureTimes() throws Exception {
        Path ts = TestVideos.write(dir.resolve("feed.ts"), TestVideos.frames(20, 320, 240), 20, "libopenh264");
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> sender =
                    CompletableFuture.runAsync(() -> sendPaced(server, ts, Duration.ofSeconds(1)));
            Instant before = Instant.now();
            List<VideoFrame> frames =
                    readAll(VideoReader.openLive("tcp://127.0.0.1:" + server.getLocalPort(), VideoOptions.DEFAULTS));
            Instant after = Instant.now();
            sender.get(10, TimeUnit.SECONDS);
            assertEquals(20, frames.size());
            for (VideoFrame f : frames) {
                assertTrue(
                        !f.captureTime().isBefore(before) && !f.captureTime().isAfter(after),
                        f.captureTime().toString());
                assertEquals(320, f.width());
            }
            assertTrue(
                    !frames.get(19).captureTime().isBefore(frames.get(0).captureTime()), "read times do not go back");
        }
    }

    @Test
    void shouldReadAMultipartMjpegCameraFeedOverLoopbackHttp() throws Exception {
        try (MjpegServer camera = MjpegServer.start(MjpegServer.jpegs(15, 240, 120), 30)) {
            VideoReader reader = VideoReader.openLive(camera.url(), VideoOptions.DEFAULTS);
            List<VideoFrame> frames = readAll(reader);
            System.out.println("end reason: " + reader.endReason());
            assertEquals(15, frames.size());
            assertEquals(240, frames.get(14).width());
            BufferedImage last =
                    ImageIO.read(new ByteArrayInputStream(frames.get(14).jpeg()));
            assertTrue(brightness(last, TestVideos.squareX(14) + 8, 60) > 200, "the last frame, re-encoded");
        }
    }

    @Test
    void shouldAbandonABlockedReadWhenInterrupted() throws Exception {
        Path ts = TestVideos.write(dir.resolve("feed.ts"), TestVideos.frames(3, 64, 64), 10, "mpeg4");
        byte[] bytes = Files.readAllBytes(ts);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // Sends the stream's start, then nothing, keeping the connection open.
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    s.getOutputStream().write(bytes);
                    s.getOutputStream().flush();
                    Thread.sleep(20_000);
                } catch (IOException | InterruptedException e) {
                    // the reader went away
                }
            });
            try (VideoReader reader =
                    VideoReader.openLive("tcp://127.0.0.1:" + server.getLocalPort(), VideoOptions.DEFAULTS)) {
                long t0 = System.nanoTime();
                CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS).execute(reader::interrupt);
                int frames = 0;
                while (reader.next() != null) frames++;
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(frames <= 3, "frames " + frames);
                assertTrue(ms >= 900 && ms < 5_000, "the blocked read ended when interrupted, after " + ms + " ms");
            }
            sender.cancel(true);
        }
    }

    @Test
    void shouldEndAFeedThatGoesSilentAndSayWhy() throws Exception {
        Path ts = TestVideos.write(dir.resolve("feed.ts"), TestVideos.frames(10, 64, 64), 10, "mpeg4");
        byte[] bytes = Files.readAllBytes(ts);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    s.getOutputStream().write(bytes);
                    s.getOutputStream().flush();
                    s.getInputStream().read(); // then silence, until the reader hangs up
                } catch (IOException e) {
                    // the reader went away
                }
            });
            VideoReader reader = VideoReader.openLive(
                    "tcp://127.0.0.1:" + server.getLocalPort(),
                    VideoOptions.DEFAULTS.withStallTimeout(Duration.ofSeconds(1)));
            List<VideoFrame> frames = readAll(reader);
            assertTrue(frames.size() >= 9, "the frames sent before the silence: " + frames.size());
            System.out.println("end reason: " + reader.endReason());
            assertTrue(
                    reader.endReason().orElseThrow().contains("nothing received for 1000 ms"),
                    reader.endReason().toString());
            sender.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldFailAStalledStreamAfterTheStallTimeout() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> silent = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().read(); // until the reader hangs up
                } catch (IOException e) {
                    // the reader gave up
                }
            });
            long t0 = System.nanoTime();
            IOException e = assertThrows(
                    IOException.class,
                    () -> VideoReader.openLive(
                            "tcp://127.0.0.1:" + server.getLocalPort(),
                            VideoOptions.DEFAULTS.withStallTimeout(Duration.ofSeconds(1))));
            assertTrue(System.nanoTime() - t0 < 10_000_000_000L);
            assertTrue(e.getMessage().contains("nothing received for 1000 ms"), e.getMessage());
            silent.cancel(true);
        }
    }

    static List<VideoFrame> readAll(VideoReader reader) throws IOException {
        try (reader) {
            List<VideoFrame> frames = new ArrayList<>();
            VideoFrame f;
            while ((f = reader.next()) != null) frames.add(f);
            assertNull(reader.next());
            return frames;
        }
    }

    /** Sends a file over the first connection, spread over {@code duration}, like a live source. */
    static void sendPaced(ServerSocket server, Path file, Duration duration) {
        try (Socket s = server.accept();
                OutputStream out = s.getOutputStream();
                InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readAllBytes();
            int chunks = 20;
            for (int c = 0; c < chunks; c++) {
                int from = bytes.length * c / chunks, to = bytes.length * (c + 1) / chunks;
                out.write(bytes, from, to - from);
                out.flush();
                Thread.sleep(duration.toMillis() / chunks);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static int brightness(BufferedImage img, int x, int y) {
        int rgb = img.getRGB(x, y);
        return (((rgb >> 16) & 0xff) + ((rgb >> 8) & 0xff) + (rgb & 0xff)) / 3;
    }
}
