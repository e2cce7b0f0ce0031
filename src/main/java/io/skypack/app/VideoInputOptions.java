package io.skypack.app;

import io.skypack.ingest.VideoOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** How video is read: the options {@code replay} (video files) and {@code live} share. */
final class VideoInputOptions {
    /** Config key: an ffmpeg program to read video with; empty or absent: the bundled FFmpeg libraries. */
    static final String FFMPEG_KEY = "skypack.ffmpeg";

    @Option(
            names = "--ffmpeg",
            paramLabel = "PATH",
            description = "Read video with this ffmpeg program (5.1 or newer, run as a child process) instead of the "
                    + "FFmpeg libraries bundled in the jar (else " + FFMPEG_KEY + " from config).")
    Path ffmpeg;

    @Option(
            names = "--max-fps",
            description = "Keep at most this many frames per second of video (default: every frame).")
    double maxFps;

    @Option(
            names = "--input-format",
            paramLabel = "FORMAT",
            description = "FFmpeg input format (ffmpeg -f), e.g. mpjpeg, mpegts, v4l2 (default: probed).")
    String format;

    @Option(
            names = "--input-option",
            paramLabel = "KEY=VALUE",
            description = "FFmpeg input option (ffmpeg -KEY VALUE before -i), e.g. rtsp_transport=tcp; repeatable.")
    Map<String, String> inputOptions = new LinkedHashMap<>();

    @Option(
            names = "--stall-timeout",
            paramLabel = "SECONDS",
            description = "A network input that sends nothing for this long fails (default ${DEFAULT-VALUE}).")
    double stallTimeoutSeconds = 15;

    VideoOptions options(PipelineConfig cfg) {
        Optional<Path> program = Optional.ofNullable(ffmpeg);
        String configured = cfg.get(FFMPEG_KEY);
        if (program.isEmpty() && configured != null && !configured.isBlank())
            program = Optional.of(Path.of(configured));
        program.ifPresent(p -> {
            if (!Files.isExecutable(p) && p.getParent() != null) {
                throw new IllegalArgumentException("ffmpeg program " + p + " is not an executable file");
            }
        });
        if (!(stallTimeoutSeconds > 0)) {
            throw new IllegalArgumentException("--stall-timeout must be > 0 seconds: " + stallTimeoutSeconds);
        }
        return VideoOptions.DEFAULTS
                .withFfmpeg(program)
                .withFormat(Optional.ofNullable(format).filter(f -> !f.isBlank()))
                .withInputOptions(inputOptions)
                .withMaxFps(maxFps)
                .withStallTimeout(Duration.ofMillis(Math.round(stallTimeoutSeconds * 1000)));
    }

    /** One line for the start of a run: what decodes, and the rate limit. */
    static String describe(VideoOptions o) {
        String decoder = o.ffmpeg().map(p -> "ffmpeg program " + p).orElse("bundled FFmpeg libraries");
        return o.maxFps() > 0 ? String.format(Locale.ROOT, "%s, at most %s frames/s", decoder, o.maxFps()) : decoder;
    }
}
