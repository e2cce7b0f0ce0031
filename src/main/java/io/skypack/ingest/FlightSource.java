package io.skypack.ingest;

import io.skypack.schema.Frame;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A flight as a sequence of {@link Frame}s in capture order, for {@link FrameProducer}: recorded (an image
 * folder, a VisDrone sequence, a video file) or live ({@link LiveFeed}). Frame indexes increase strictly;
 * capture times are what the producer paces a replay by.
 *
 * <p>Iterate once. A source that reads a video holds a decoder or a child process until closed; failures
 * while iterating surface as {@link java.io.UncheckedIOException} with the reason.
 */
public interface FlightSource extends Iterable<Frame>, Closeable {
    /** File name endings read as video (case-insensitive). */
    List<String> VIDEO_EXTENSIONS =
            List.of(".mp4", ".m4v", ".mkv", ".avi", ".mov", ".ts", ".mts", ".m2ts", ".webm", ".flv", ".mpg", ".mpeg");

    String flightId();

    /** How many frames, or -1 when not known before the end (video, live). */
    int size();

    /** Why a video input ended early, once iterated (see {@link VideoReader#endReason()}). */
    default Optional<String> endReason() {
        return Optional.empty();
    }

    @Override
    default void close() throws IOException {}

    /** As {@link #open(Path, String, double, Instant, VideoOptions)} with default video options. */
    static FlightSource open(Path source, String flightId, double fps, Instant start) throws IOException {
        return open(source, flightId, fps, start, VideoOptions.DEFAULTS);
    }

    /**
     * A recorded flight.
     *
     * @param source a video file (by its extension, see {@link #VIDEO_EXTENSIONS}), an image folder, or a
     *     VisDrone root holding {@code sequences/<flightId>}
     * @param fps frame rate of an image sequence, for its capture times (a video's come from the file)
     * @param start capture time of the first frame
     * @param video how a video file is read
     */
    static FlightSource open(Path source, String flightId, double fps, Instant start, VideoOptions video)
            throws IOException {
        if (flightId == null || flightId.isBlank()) throw new IllegalArgumentException("a flight id is required");
        if (isVideo(source) && !Files.isDirectory(source)) {
            if (!Files.isRegularFile(source)) throw new IOException(source + ": no such video file");
            return new VideoFlight(flightId, VideoReader.openRecording(source.toString(), video, start));
        }
        return ImageSequence.open(source, flightId, fps, start);
    }

    /** Whether the file name ends like a video file. */
    static boolean isVideo(Path file) {
        Path name = file.getFileName();
        if (name == null) return false;
        String n = name.toString().toLowerCase(Locale.ROOT);
        return VIDEO_EXTENSIONS.stream().anyMatch(n::endsWith);
    }
}
