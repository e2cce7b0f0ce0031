package io.skypack.ingest;

import io.skypack.schema.Frame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;

/** A recorded video as a flight: frames decoded on demand, as the producer asks for them. */
final class VideoFlight implements FlightSource {
    private final String flightId;
    private final VideoReader reader;
    private boolean iterated;

    VideoFlight(String flightId, VideoReader reader) {
        this.flightId = Objects.requireNonNull(flightId, "flightId");
        this.reader = Objects.requireNonNull(reader, "reader");
    }

    @Override
    public String flightId() {
        return flightId;
    }

    @Override
    public int size() {
        return -1;
    }

    @Override
    public Iterator<Frame> iterator() {
        if (iterated) throw new IllegalStateException("a video flight is read once");
        iterated = true;
        return new Iterator<>() {
            private VideoFrame next;
            private boolean done;

            @Override
            public boolean hasNext() {
                if (next == null && !done) {
                    try {
                        next = reader.next();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    done = next == null;
                }
                return next != null;
            }

            @Override
            public Frame next() {
                if (!hasNext()) throw new NoSuchElementException();
                VideoFrame f = next;
                next = null;
                return f.toFrame(flightId);
            }
        };
    }

    @Override
    public Optional<String> endReason() {
        return reader.endReason();
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
