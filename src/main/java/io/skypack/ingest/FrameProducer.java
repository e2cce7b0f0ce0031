package io.skypack.ingest;

import io.skypack.schema.Frame;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends a flight's frames to the frames topic (DESIGN.md section 1, "FrameProducer"), keyed by flight
 * id so a flight stays in one partition and in order, at the chosen {@link Pace}. The record timestamp is
 * the send time (the pipeline measures latency from it); the capture time travels in the frame.
 * Returns once every frame is acknowledged; a frame the broker refuses fails the replay with the frame
 * named, never silently.
 */
public final class FrameProducer {
    /** Progress after each frame: frames sent so far and the total. */
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
        long t0 = System.nanoTime();
        int i = 0;
        java.util.concurrent.atomic.AtomicReference<Exception> failed =
                new java.util.concurrent.atomic.AtomicReference<>();
        for (Frame frame : flight) {
            Duration due = pace.due(flight.offset(i));
            long waitNs = t0 + due.toNanos() - System.nanoTime();
            if (waitNs > 0) Thread.sleep(waitNs / 1_000_000, (int) (waitNs % 1_000_000));
            int index = i;
            producer.send(new ProducerRecord<>(topic, flight.flightId(), frame), (meta, error) -> {
                if (error != null) {
                    failed.compareAndSet(
                            null,
                            new IllegalStateException(
                                    "frame " + index + " of " + flight.flightId() + " was not sent: " + error, error));
                }
            });
            if (failed.get() != null) throw (IllegalStateException) failed.get();
            sent.accept(frame);
            i++;
            progress.sent(i, flight.size());
        }
        producer.flush(); // every callback has run when flush returns
        if (failed.get() != null) throw (IllegalStateException) failed.get();
        return i;
    }
}
