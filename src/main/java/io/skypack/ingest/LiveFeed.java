package io.skypack.ingest;

import io.skypack.schema.Frame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;

/**
 * A live video feed as a flight. A reader thread takes frames from the {@link VideoReader} as fast as the
 * source sends them (capture time = wall clock at read) into a buffer of at most {@code capacity} frames;
 * when the consumer falls behind, the oldest buffered frame is dropped and counted, so memory stays
 * bounded and what goes out is recent. Dropped frames leave gaps in the frame indexes.
 *
 * <p>Iteration ends when the source ends, after {@code maxFrames} frames, or when {@link #stop()} or
 * {@link #close()} is called (from any thread, e.g. a Ctrl-C hook); a failing source ends it with an
 * {@link UncheckedIOException} after the frames read before the failure.
 */
public final class LiveFeed implements FlightSource {
    private final String flightId;
    private final VideoReader reader;
    private final int capacity;
    private final long maxFrames;
    private final Deque<VideoFrame> buffer = new ArrayDeque<>();
    private final Thread thread;
    private volatile boolean stopping;
    private boolean ended;
    private IOException failure;
    private String endReason;
    private long read;
    private long dropped;
    private boolean iterated;

    private LiveFeed(String flightId, VideoReader reader, int capacity, long maxFrames) {
        if (capacity < 1) throw new IllegalArgumentException("buffer capacity must be >= 1: " + capacity);
        if (maxFrames < 0) throw new IllegalArgumentException("max frames must be >= 0 (0: no limit): " + maxFrames);
        if (flightId == null || flightId.isBlank()) throw new IllegalArgumentException("a flight id is required");
        this.flightId = flightId;
        this.reader = Objects.requireNonNull(reader, "reader");
        this.capacity = capacity;
        this.maxFrames = maxFrames;
        this.thread = new Thread(this::readFrames, "skypack-live-reader");
        thread.setDaemon(true);
    }

    /**
     * Opens the feed and starts reading.
     *
     * @param url what ffmpeg reads: a URL (rtsp, rtmp, srt, udp, tcp, http), a device or a file
     * @param capacity frames buffered while the consumer is behind
     * @param maxFrames stop after handing out this many frames; 0: until the feed ends
     */
    public static LiveFeed open(String url, String flightId, VideoOptions options, int capacity, long maxFrames)
            throws IOException {
        return start(flightId, VideoReader.openLive(url, options), capacity, maxFrames);
    }

    /** Starts reading frames from an open reader; the feed owns and closes it. */
    static LiveFeed start(String flightId, VideoReader reader, int capacity, long maxFrames) {
        LiveFeed feed;
        try {
            feed = new LiveFeed(flightId, reader, capacity, maxFrames);
        } catch (RuntimeException e) {
            try {
                reader.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        feed.thread.start();
        return feed;
    }

    private void readFrames() {
        IOException failed = null;
        try {
            while (!stopping) {
                VideoFrame f = reader.next();
                if (f == null) break;
                synchronized (this) {
                    if (buffer.size() == capacity) {
                        buffer.removeFirst();
                        dropped++;
                    }
                    buffer.addLast(f);
                    read++;
                    notifyAll();
                }
            }
        } catch (IOException e) {
            failed = e;
        } catch (RuntimeException e) {
            failed = new IOException(e.toString(), e);
        } finally {
            try {
                reader.close();
            } catch (IOException e) {
                if (failed == null) failed = e;
            }
            synchronized (this) {
                failure = failed;
                endReason = reader.endReason().orElse(null);
                ended = true;
                notifyAll();
            }
        }
    }

    @Override
    public String flightId() {
        return flightId;
    }

    @Override
    public int size() {
        return -1;
    }

    /** Frames read from the source so far. */
    public synchronized long read() {
        return read;
    }

    /** Why the feed ended (a dropped connection, a stall), once it has; see {@link VideoReader#endReason()}. */
    @Override
    public synchronized Optional<String> endReason() {
        return Optional.ofNullable(endReason);
    }

    /** Frames dropped so far because the consumer was behind and the buffer full. */
    public synchronized long dropped() {
        return dropped;
    }

    @Override
    public synchronized Iterator<Frame> iterator() {
        if (iterated) throw new IllegalStateException("a live feed is read once");
        iterated = true;
        return new Iterator<>() {
            private long taken;

            @Override
            public boolean hasNext() {
                if (maxFrames > 0 && taken >= maxFrames) {
                    stop();
                    return false;
                }
                synchronized (LiveFeed.this) {
                    try {
                        while (buffer.isEmpty() && !ended && !stopping) LiveFeed.this.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                    if (stopping) return false;
                    if (!buffer.isEmpty()) return true;
                    if (failure != null) throw new UncheckedIOException(failure);
                    return false;
                }
            }

            @Override
            public Frame next() {
                if (!hasNext()) throw new NoSuchElementException();
                VideoFrame f;
                synchronized (LiveFeed.this) {
                    f = buffer.removeFirst();
                }
                taken++;
                return f.toFrame(flightId);
            }
        };
    }

    /** Stops reading: iteration ends, a blocked network read is abandoned; from any thread. */
    public void stop() {
        stopping = true;
        reader.interrupt();
        synchronized (this) {
            notifyAll();
        }
    }

    /** Stops reading and waits (up to 10 s) for the reader thread to release the input. */
    @Override
    public void close() throws IOException {
        stop();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
