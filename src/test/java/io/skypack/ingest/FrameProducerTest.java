package io.skypack.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.schema.Frame;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class FrameProducerTest {
    private static final Serializer<Frame> NO_BYTES = (topic, frame) -> new byte[0];

    /** Frames with the given capture times (ms), as a flight of unknown length. */
    private static FlightSource flight(long... captureMs) {
        List<Frame> frames = new ArrayList<>();
        for (int i = 0; i < captureMs.length; i++) {
            frames.add(new VideoFrame(i, java.time.Instant.ofEpochMilli(captureMs[i]), 2, 2, new byte[] {1})
                    .toFrame("f1"));
        }
        return new FlightSource() {
            @Override
            public String flightId() {
                return "f1";
            }

            @Override
            public int size() {
                return -1;
            }

            @Override
            public Iterator<Frame> iterator() {
                return frames.iterator();
            }
        };
    }

    @Test
    void shouldPaceAReplayByCaptureTimesAndStampRecordsWithTheSendTime() throws Exception {
        MockProducer<String, Frame> producer = new MockProducer<>(true, null, new StringSerializer(), NO_BYTES);
        List<Integer> totals = new ArrayList<>();
        long t0 = System.nanoTime();
        int sent = new FrameProducer(producer, "uav.frames")
                .replay(flight(1_000_000, 1_000_100, 1_000_300), Pace.ORIGINAL, (n, total) -> totals.add(total));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(3, sent);
        assertTrue(ms >= 290, "the last frame is due 300 ms after the first: " + ms);
        assertEquals(List.of(-1, -1, -1), totals);
        for (ProducerRecord<String, Frame> r : producer.history()) {
            assertEquals("f1", r.key());
            assertEquals(null, r.timestamp(), "the producer stamps the send time");
        }
    }

    @Test
    void shouldStampLiveRecordsWithTheirCaptureTimeAndNotWait() throws Exception {
        MockProducer<String, Frame> producer = new MockProducer<>(true, null, new StringSerializer(), NO_BYTES);
        long t0 = System.nanoTime();
        int sent = new FrameProducer(producer, "uav.frames").stream(flight(5_000, 65_000), (n, total) -> {});
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "a live feed is sent as it is read");
        assertEquals(2, sent);
        assertEquals(5_000L, producer.history().get(0).timestamp());
        assertEquals(65_000L, producer.history().get(1).timestamp());
        assertEquals("uav.frames", producer.history().get(1).topic());
    }
}
