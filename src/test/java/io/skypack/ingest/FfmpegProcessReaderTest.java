package io.skypack.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The child-process reader ({@code --ffmpeg PATH}). Its process handling runs against small shell scripts that
 * behave like ffmpeg (JPEGs on stdout, showinfo lines and errors on stderr, an exit code); the last test runs a
 * real ffmpeg program when one is found ({@code -Dskypack.test.ffmpeg=PATH}, else {@code ffmpeg} on the PATH).
 */
@Timeout(60)
class FfmpegProcessReaderTest {
    @TempDir
    Path dir;

    @Test
    void shouldSplitTheProgramsOutputAndTimeFramesByItsShowinfoLines() throws IOException {
        byte[] a = JpegSplitterTest.noisyJpeg(32, 24, 1), b = JpegSplitterTest.noisyJpeg(32, 24, 2);
        Files.write(dir.resolve("out.bin"), JpegSplitterTest.concat(a, b, a));
        Path program = script(
                "echo 'Input #0, mov,mp4,m4a,3gp,3g2,mj2, from flight.mp4:' >&2",
                "for t in 1.5 1.54 1.6; do",
                "  echo \"[Parsed_showinfo_0 @ 0x5600] n:   0 pts:  12345 pts_time:$t duration: 1\" >&2",
                "done",
                "cat '" + dir.resolve("out.bin") + "'");
        Instant t0 = Instant.ofEpochSecond(1_700_000_000L);
        List<VideoFrame> frames = LibavVideoReaderTest.readAll(
                VideoReader.openRecording("flight.mp4", VideoOptions.DEFAULTS.withFfmpeg(Optional.of(program)), t0));
        assertEquals(3, frames.size());
        assertEquals(t0, frames.get(0).captureTime());
        assertEquals(t0.plusMillis(40), frames.get(1).captureTime());
        assertEquals(t0.plusMillis(100), frames.get(2).captureTime());
        assertEquals(32, frames.get(1).width());
        assertEquals(24, frames.get(1).height());
        assertEquals(2, frames.get(2).index());
    }

    @Test
    void shouldReportTheExitCodeAndStderrTailWhenTheProgramFails() throws IOException {
        Path program = script(
                "echo '[tcp @ 0x5600] Connection to tcp://127.0.0.1:9 failed: Connection refused' >&2",
                "echo '[in#0 @ 0x5601] Error opening input: Connection refused' >&2",
                "exit 251");
        VideoReader reader =
                VideoReader.openLive("tcp://127.0.0.1:9", VideoOptions.DEFAULTS.withFfmpeg(Optional.of(program)));
        try (reader) {
            IOException e = assertThrows(IOException.class, reader::next);
            assertTrue(e.getMessage().startsWith("ffmpeg failed on tcp://127.0.0.1:9 (exit code 251)"), e.getMessage());
            assertTrue(e.getMessage().contains("Error opening input: Connection refused"), e.getMessage());
        }
    }

    @Test
    void shouldEndTheChildProcessOnClose() throws Exception {
        Files.write(dir.resolve("one.jpg"), JpegSplitterTest.noisyJpeg(16, 16, 3));
        Path pid = dir.resolve("pid");
        Path program = script("echo $$ > '" + pid + "'", "cat '" + dir.resolve("one.jpg") + "'", "exec sleep 60");
        VideoReader reader =
                VideoReader.openLive("udp://127.0.0.1:5000", VideoOptions.DEFAULTS.withFfmpeg(Optional.of(program)));
        assertNotNull(reader.next());
        ProcessHandle child =
                ProcessHandle.of(Long.parseLong(Files.readString(pid).trim())).orElseThrow();
        assertTrue(child.isAlive());
        reader.close();
        child.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertFalse(child.isAlive());
    }

    @Test
    void shouldNameAProgramThatCannotRun() {
        IOException e = assertThrows(
                IOException.class,
                () -> VideoReader.openLive(
                        "x.mp4", VideoOptions.DEFAULTS.withFfmpeg(Optional.of(dir.resolve("no-ffmpeg")))));
        assertTrue(
                e.getMessage().startsWith("cannot run the ffmpeg program " + dir.resolve("no-ffmpeg")), e.getMessage());
    }

    @Test
    void shouldPutInputOptionsBeforeTheInputAndLimitTheRateWithSelect() {
        Map<String, String> input = new LinkedHashMap<>();
        input.put("rtsp_transport", "tcp");
        VideoOptions options = VideoOptions.DEFAULTS
                .withInputOptions(input)
                .withFormat(Optional.of("rtsp"))
                .withMaxFps(5);
        List<String> c = FfmpegProcessReader.command("ffmpeg", "rtsp://cam/1", options, true);
        String line = String.join(" ", c);
        assertTrue(line.contains(" -rtsp_transport tcp -f rtsp -i rtsp://cam/1 -map 0:v:0 "), line);
        assertTrue(
                line.contains(
                        " -vf select='isnan(prev_selected_t)+not(eq(floor(t*5.0)\\,floor(prev_selected_t*5.0)))',showinfo "),
                line);
        assertTrue(line.endsWith(" -f image2pipe -c:v mjpeg -q:v 3 -pix_fmt yuvj420p -"), line);
        assertFalse(String.join(" ", FfmpegProcessReader.command("ffmpeg", "x", VideoOptions.DEFAULTS, false))
                .contains("-vf"));
    }

    @Test
    void shouldReadAVideoWithARealFfmpegProgram() throws IOException {
        Optional<Path> ffmpeg = realFfmpeg();
        assumeTrue(
                ffmpeg.isPresent(),
                "no ffmpeg program: not on the PATH and -Dskypack.test.ffmpeg not set (the bundled libraries need none)");
        Path video = TestVideos.write(dir.resolve("flight.mp4"), TestVideos.frames(15, 320, 240), 10, "mpeg4");
        VideoOptions options = VideoOptions.DEFAULTS.withFfmpeg(ffmpeg);
        Instant t0 = Instant.ofEpochSecond(1_700_000_000L);
        List<VideoFrame> frames =
                LibavVideoReaderTest.readAll(VideoReader.openRecording(video.toString(), options, t0));
        assertEquals(15, frames.size());
        assertEquals(320, frames.get(14).width());
        assertEquals(240, frames.get(14).height());
        assertEquals(t0.plusMillis(1400), frames.get(14).captureTime());
        List<VideoFrame> limited =
                LibavVideoReaderTest.readAll(VideoReader.openRecording(video.toString(), options.withMaxFps(5), t0));
        assertEquals(8, limited.size(), "one frame per 200 ms bucket of 1.5 s");
        assertEquals(t0.plusMillis(200), limited.get(1).captureTime());

        IOException e = assertThrows(
                IOException.class,
                () -> LibavVideoReaderTest.readAll(
                        VideoReader.openLive(dir.resolve("missing.mp4").toString(), options)));
        assertTrue(e.getMessage().contains("No such file"), e.getMessage());
    }

    static Optional<Path> realFfmpeg() {
        String configured = System.getProperty("skypack.test.ffmpeg");
        if (configured != null && !configured.isBlank()) return Optional.of(Path.of(configured));
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        return Stream.of(path.split(File.pathSeparator))
                .map(p -> Path.of(p, "ffmpeg"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private Path script(String... lines) throws IOException {
        Path s = dir.resolve("fake-ffmpeg-" + System.nanoTime());
        Files.writeString(s, "#!/bin/sh\n" + String.join("\n", lines) + "\n");
        assertTrue(s.toFile().setExecutable(true));
        return s;
    }
}
