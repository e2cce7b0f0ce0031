package io.skypack.ingest;

import io.skypack.schema.Frame;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends a flight's frames to the frames topic (DESIGN.md section 1, "FrameProducer"), keyed by flight
 * id so a flight stays in one partition and in order. A recorded flight is replayed at the chosen
 * {@link Pace}, by its frames' capture times, with the send time as record timestamp (the pipeline
 * measures latency from it); a live feed is streamed as it is read, with each frame's capture time (the
 * wall clock when it was read) as record timestamp, so the live profile's staleness limit, which is
 * measured from the record timestamp, counts the time a frame waited before it was sent too.
 * Returns once every frame is acknowledged; a frame the broker refuses fails the flight with the frame
 * named, never silently.
 */
public final class FrameProducer {
    /** Progress after each frame: frames sent so far and the total (-1 when not known: video, live). */
    public interface Progress {
        void sent(int sent, int total);
    }

    private final Producer<String, Frame> producer;
    private final String topic;

    public FrameProducer(Producer<String, Frame> producer, String topic) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.topic = Objects.requireNonNull(topic, "topic");
    }

    /** Replays the flight; returns the number of frames sent. */
    public int replay(FlightSource flight, Pace pace, Progress progress) throws InterruptedException {
        return replay(flight, pace, progress, f -> {});
    }

    /** As {@link #replay(FlightSource, Pace, Progress)}, handing each frame to {@code sent} as it goes out. */
    public int replay(FlightSource flight, Pace pace, Progress progress, Consumer<Frame> sent)
            throws InterruptedException {
        return send(flight, pace, false, progress, sent);
    }

    /** Sends a live feed's frames as they come, stamped with their capture time; returns how many. */
    public int stream(FlightSource live, Progress progress) throws InterruptedException {
        return send(live, Pace.FAST, true, progress, f -> {});
    }

    private int send(FlightSource flight, Pace pace, boolean captureTimestamps, Progress progress, Consumer<Frame> sent)
            throws InterruptedException {
        long t0 = System.nanoTime();
        Instant first = null;
        int i = 0;
        AtomicReference<IllegalStateException> failed = new AtomicReference<>();
        for (Frame frame : flight) {
            if (first == null) first = frame.getCaptureTime();
            Duration due = pace.due(Duration.between(first, frame.getCaptureTime()));
            long waitNs = t0 + due.toNanos() - System.nanoTime();
            if (waitNs > 0) Thread.sleep(waitNs / 1_000_000, (int) (waitNs % 1_000_000));
            long index = frame.getFrameIndex();
            Long timestamp = captureTimestamps ? frame.getCaptureTime().toEpochMilli() : null;
            producer.send(new ProducerRecord<>(topic, null, timestamp, flight.flightId(), frame), (meta, error) -> {
                if (error != null) {
                    failed.compareAndSet(
                            null,
                            new IllegalStateException(
                                    "frame " + index + " of " + flight.flightId() + " was not sent: " + error, error));
                }
            });
            if (failed.get() != null) throw failed.get();
            sent.accept(frame);
            i++;
            progress.sent(i, flight.size());
        }
        producer.flush(); // every callback has run when flush returns
        if (failed.get() != null) throw failed.get();
        return i;
    }
}
