package io.skypack.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.skypack.schema.Frame;
import io.skypack.schema.ImageEncoding;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DecodedImagesTest {
    private static Frame frame(String flight, long index, byte... bytes) {
        return Frame.newBuilder()
                .setFlightId(flight)
                .setFrameIndex(index)
                .setCaptureTime(Instant.EPOCH)
                .setWidth(10)
                .setHeight(10)
                .setEncoding(ImageEncoding.JPEG)
                .setImage(ByteBuffer.wrap(bytes))
                .build();
    }

    private static BufferedImage image(int w, int h) {
        return new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    }

    @Test
    void shouldGiveAnImageBackOnlyForTheSameFlightOffsetAndBytes() {
        DecodedImages cache = new DecodedImages(1000);
        Frame f = frame("a", 1, (byte) 1, (byte) 2, (byte) 3);
        BufferedImage img = image(10, 10);
        cache.put(f, 7, img);
        assertNull(cache.take(frame("b", 1, (byte) 1, (byte) 2, (byte) 3), 7), "other flight");
        assertNull(cache.take(f, 8), "other offset");
        assertNull(cache.take(frame("a", 1, (byte) 1, (byte) 2, (byte) 4), 7), "same place, other bytes");
        assertSame(img, cache.take(f, 7));
        assertNull(cache.take(f, 7), "an image is handed out once");
        assertEquals(1, cache.hits());
        assertEquals(4, cache.misses());
        assertEquals(0, cache.pixels());
    }

    @Test
    void shouldEvictTheOldestImagesToStayWithinItsPixels() {
        DecodedImages cache = new DecodedImages(250);
        Frame a = frame("f", 0, (byte) 0), b = frame("f", 1, (byte) 1), c = frame("f", 2, (byte) 2);
        cache.put(a, 0, image(10, 10));
        cache.put(b, 1, image(10, 10));
        cache.put(c, 2, image(10, 10)); // 300 pixels > 250: a goes
        assertEquals(200, cache.pixels());
        assertEquals(2, cache.size());
        assertNull(cache.take(a, 0));
        assertEquals(10, cache.take(b, 1).getWidth());
        cache.put(a, 0, image(20, 20)); // larger than the whole bound: not kept, nothing evicted
        assertEquals(1, cache.size());
        assertEquals(100, cache.pixels());
    }

    @Test
    void shouldKeepNothingWithABoundOfZero() {
        DecodedImages cache = new DecodedImages(0);
        Frame a = frame("f", 0, (byte) 0);
        cache.put(a, 0, image(1, 1));
        assertNull(cache.take(a, 0));
        assertEquals(0, cache.size());
    }
}
