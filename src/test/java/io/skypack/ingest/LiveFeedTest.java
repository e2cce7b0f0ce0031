package io.skypack.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.schema.Frame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class LiveFeedTest {
    /** A source of numbered frames: as fast as asked, or failing after some, or blocking until interrupted. */
    static final class FakeReader implements VideoReader {
        final int frames;
        final IOException failAfter;
        final boolean blockAtEnd;
        final CountDownLatch interrupted = new CountDownLatch(1);
        volatile boolean closed;
        int next;

        FakeReader(int frames, IOException failAfter, boolean blockAtEnd) {
            this.frames = frames;
            this.failAfter = failAfter;
            this.blockAtEnd = blockAtEnd;
        }

        @Override
        public VideoFrame next() throws IOException {
            if (next < frames) return new VideoFrame(next++, Instant.now(), 4, 4, new byte[] {(byte) next});
            if (failAfter != null) throw failAfter;
            if (blockAtEnd) {
                try {
                    interrupted.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return null;
        }

        @Override
        public void interrupt() {
            interrupted.countDown();
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void shouldDropTheOldestFramesWhenTheConsumerFallsBehind() throws Exception {
        FakeReader reader = new FakeReader(1000, null, true);
        LiveFeed feed = LiveFeed.start("live1", reader, 5, 0);
        try (feed) {
            Iterator<Frame> frames = feed.iterator();
            while (feed.read() < 1000) Thread.sleep(5); // the consumer sleeps; the source goes on
            List<Long> indexes = new ArrayList<>();
            for (int i = 0; i < 5; i++) indexes.add(frames.next().getFrameIndex());
            assertEquals(List.of(995L, 996L, 997L, 998L, 999L), indexes, "the newest frames, in order");
            assertEquals(995, feed.dropped());
        }
        assertTrue(reader.closed, "the feed closes its reader");
    }

    @Test
    void shouldStopAfterMaxFramesAndReleaseTheSource() throws Exception {
        FakeReader reader = new FakeReader(3, null, true);
        List<Frame> got = new ArrayList<>();
        try (LiveFeed feed = LiveFeed.start("live1", reader, 8, 2)) {
            feed.forEach(got::add);
        }
        assertEquals(2, got.size());
        assertEquals("live1", got.get(1).getFlightId());
        assertEquals(0, reader.interrupted.getCount(), "a reader blocked on the network is interrupted");
        assertTrue(reader.closed);
    }

    @Test
    void shouldEndWhenClosedFromAnotherThread() throws Exception {
        FakeReader reader = new FakeReader(1, null, true);
        LiveFeed feed = LiveFeed.start("live1", reader, 8, 0);
        Iterator<Frame> frames = feed.iterator();
        assertTrue(frames.hasNext());
        frames.next();
        Thread closer = new Thread(() -> {
            try {
                Thread.sleep(200);
                feed.close();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        closer.start();
        assertFalse(frames.hasNext(), "a consumer waiting for the next frame returns when the feed is closed");
        closer.join();
        assertTrue(reader.closed);
    }

    @Test
    void shouldHandOutFramesReadBeforeAFailureThenTheFailure() throws Exception {
        FakeReader reader = new FakeReader(2, new IOException("cannot read rtsp://cam: Connection reset"), false);
        try (LiveFeed feed = LiveFeed.start("live1", reader, 8, 0)) {
            Iterator<Frame> frames = feed.iterator();
            while (!reader.closed) Thread.sleep(5); // read two, failed, released
            assertEquals(0, frames.next().getFrameIndex());
            assertEquals(1, frames.next().getFrameIndex());
            UncheckedIOException e = assertThrows(UncheckedIOException.class, frames::hasNext);
            assertEquals(
                    "cannot read rtsp://cam: Connection reset", e.getCause().getMessage());
        }
    }
}
