package io.skypack.ingest;

import java.io.Closeable;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

/**
 * Frames of a video file or stream, decoded and re-encoded as JPEG, one at a time: memory stays bounded by
 * one frame (plus the decoder's own reference frames), however long the input.
 *
 * <p>One thread reads ({@link #next()}) and closes; {@link #interrupt()} may come from any thread.
 * Failures name the input and carry FFmpeg's own explanation (its last log lines).
 */
public interface VideoReader extends Closeable {
    /** The next frame, or {@code null} when the input has ended or the reader was interrupted. */
    VideoFrame next() throws IOException;

    /**
     * Why the input ended before its end, once {@link #next()} has returned {@code null}: a read error or a
     * stall after it opened (a feed that dropped, a damaged file tail), which ends an input as in the ffmpeg
     * program; empty after a normal end.
     */
    default Optional<String> endReason() {
        return Optional.empty();
    }

    /** Makes a blocked or later {@link #next()} return {@code null} soon; safe from any thread. */
    void interrupt();

    /** Releases the decoder, or ends the child process. */
    @Override
    void close() throws IOException;

    /**
     * A recorded video: capture times are {@code start} plus each frame's presentation time (relative to the
     * first frame).
     */
    static VideoReader openRecording(String input, VideoOptions options, Instant start) throws IOException {
        return open(input, options, start);
    }

    /** A live feed: capture times are the wall clock when each frame was read. */
    static VideoReader openLive(String input, VideoOptions options) throws IOException {
        return open(input, options, null);
    }

    private static VideoReader open(String input, VideoOptions options, Instant start) throws IOException {
        if (options.ffmpeg().isPresent()) return FfmpegProcessReader.open(input, options, start);
        return LibavVideoReader.open(input, options, start);
    }
}
