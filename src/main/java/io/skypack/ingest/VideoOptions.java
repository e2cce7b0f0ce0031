package io.skypack.ingest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a video is read, whatever reads it.
 *
 * @param ffmpeg an ffmpeg program to run as a child process; empty: FFmpeg's libraries bundled in the jar
 *     (in-process, nothing to install)
 * @param format the input format ({@code ffmpeg -f}, e.g. {@code mpjpeg}, {@code rtsp}); empty: probed
 * @param inputOptions FFmpeg input options ({@code ffmpeg -KEY VALUE} before {@code -i}, e.g.
 *     {@code rtsp_transport=tcp}), in order
 * @param maxFps keep at most one frame per 1/maxFps seconds of video time; 0 keeps every frame
 * @param jpegQuality the JPEG quantiser scale, 2 (best, largest) to 31 ({@code ffmpeg -q:v})
 * @param stallTimeout a network input that delivers nothing for this long fails (files never stall)
 * @param maxFrameBytes a JPEG larger than this fails the reader
 */
public record VideoOptions(
        Optional<Path> ffmpeg,
        Optional<String> format,
        Map<String, String> inputOptions,
        double maxFps,
        int jpegQuality,
        Duration stallTimeout,
        int maxFrameBytes) {
    public static final VideoOptions DEFAULTS =
            new VideoOptions(Optional.empty(), Optional.empty(), Map.of(), 0, 3, Duration.ofSeconds(15), 16 << 20);

    public VideoOptions {
        Objects.requireNonNull(ffmpeg, "ffmpeg");
        Objects.requireNonNull(format, "format");
        inputOptions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(inputOptions));
        if (!(maxFps >= 0) || Double.isInfinite(maxFps))
            throw new IllegalArgumentException("max fps must be >= 0 (0: every frame): " + maxFps);
        if (jpegQuality < 2 || jpegQuality > 31)
            throw new IllegalArgumentException("JPEG quality must be in [2, 31]: " + jpegQuality);
        if (stallTimeout.isNegative() || stallTimeout.isZero())
            throw new IllegalArgumentException("stall timeout must be > 0: " + stallTimeout);
        if (maxFrameBytes < 1024) throw new IllegalArgumentException("max frame bytes must be >= 1024");
    }

    public VideoOptions withFfmpeg(Optional<Path> program) {
        return new VideoOptions(program, format, inputOptions, maxFps, jpegQuality, stallTimeout, maxFrameBytes);
    }

    public VideoOptions withFormat(Optional<String> inputFormat) {
        return new VideoOptions(ffmpeg, inputFormat, inputOptions, maxFps, jpegQuality, stallTimeout, maxFrameBytes);
    }

    public VideoOptions withInputOptions(Map<String, String> options) {
        return new VideoOptions(ffmpeg, format, options, maxFps, jpegQuality, stallTimeout, maxFrameBytes);
    }

    public VideoOptions withMaxFps(double fps) {
        return new VideoOptions(ffmpeg, format, inputOptions, fps, jpegQuality, stallTimeout, maxFrameBytes);
    }

    public VideoOptions withStallTimeout(Duration timeout) {
        return new VideoOptions(ffmpeg, format, inputOptions, maxFps, jpegQuality, timeout, maxFrameBytes);
    }

    public VideoOptions withMaxFrameBytes(int bytes) {
        return new VideoOptions(ffmpeg, format, inputOptions, maxFps, jpegQuality, stallTimeout, bytes);
    }
}
