package io.skypack.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class JpegSplitterTest {
    @Test
    void shouldSplitConcatenatedJpegsAtEoiMarkers() throws IOException {
        byte[] a = noisyJpeg(64, 48, 1), b = noisyJpeg(33, 17, 2), c = noisyJpeg(128, 96, 3);
        JpegSplitter splitter = new JpegSplitter(new ByteArrayInputStream(concat(a, b, c)), 1 << 20);
        assertImage(a, 64, 48, splitter.next());
        assertImage(b, 33, 17, splitter.next());
        assertImage(c, 128, 96, splitter.next());
        assertNull(splitter.next());
        assertNull(splitter.next());
        assertEquals(0, splitter.skippedBytes());
        assertEquals(0, splitter.truncatedBytes());
    }

    @Test
    void shouldNotEndAnImageAtStuffedBytesRestartMarkersFillBytesOrAnEmbeddedThumbnail() throws IOException {
        byte[] real = noisyJpeg(64, 64, 4);
        assertTrue(indexOf(real, new byte[] {(byte) 0xff, 0x00}) > 0, "noise makes the encoder stuff FF bytes");
        byte[] crafted = craftedJpeg();
        JpegSplitter splitter = new JpegSplitter(new ByteArrayInputStream(concat(crafted, real)), 1 << 20);
        assertImage(crafted, 320, 240, splitter.next());
        assertImage(real, 64, 64, splitter.next());
        assertNull(splitter.next());
    }

    @Test
    void shouldDropATruncatedTailAndCountIt() throws IOException {
        byte[] a = noisyJpeg(40, 30, 5), b = noisyJpeg(40, 30, 6);
        byte[] cut = Arrays.copyOf(b, b.length / 2);
        JpegSplitter splitter = new JpegSplitter(new ByteArrayInputStream(concat(a, cut)), 1 << 20);
        assertImage(a, 40, 30, splitter.next());
        assertNull(splitter.next());
        assertEquals(cut.length, splitter.truncatedBytes());
        assertEquals(0, splitter.skippedBytes());
    }

    @Test
    void shouldSkipBytesOutsideImagesAndResynchroniseAfterABrokenOne() throws IOException {
        byte[] a = noisyJpeg(20, 20, 7), b = noisyJpeg(30, 20, 8);
        byte[] broken = Arrays.copyOf(noisyJpeg(20, 20, 9), 40);
        broken[20] = 0x12; // where the structure expects the FF of a marker
        byte[] garbage = "ffmpeg said something\n".getBytes();
        JpegSplitter splitter = new JpegSplitter(new ByteArrayInputStream(concat(garbage, a, broken, b)), 1 << 20);
        assertImage(a, 20, 20, splitter.next());
        assertImage(b, 30, 20, splitter.next());
        assertNull(splitter.next());
        assertEquals(garbage.length + broken.length, splitter.skippedBytes());
    }

    @Test
    void shouldSplitAStreamThatArrivesInTinyReads() throws IOException {
        List<byte[]> images = new ArrayList<>();
        for (int i = 0; i < 5; i++) images.add(noisyJpeg(16 + 8 * i, 16, 10 + i));
        images.add(craftedJpeg());
        InputStream trickle = new ByteArrayInputStream(concat(images.toArray(byte[][]::new))) {
            private final Random random = new Random(1);

            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1 + random.nextInt(7)));
            }
        };
        JpegSplitter splitter = new JpegSplitter(trickle, 1 << 20);
        for (byte[] expected : images)
            assertArrayEquals(expected, splitter.next().bytes());
        assertNull(splitter.next());
    }

    @Test
    void shouldRefuseAnImageLongerThanTheLimit() throws IOException {
        byte[] big = noisyJpeg(200, 200, 20);
        JpegSplitter splitter = new JpegSplitter(new ByteArrayInputStream(big), big.length - 1);
        IOException e = assertThrows(IOException.class, splitter::next);
        assertTrue(e.getMessage().contains("longer than " + (big.length - 1)), e.getMessage());
        assertImage(big, 200, 200, new JpegSplitter(new ByteArrayInputStream(big), big.length).next());
    }

    /**
     * A JPEG that a search for FF D9 would cut short: an APP1 segment carrying a thumbnail (a JPEG of its
     * own, with its end marker), then after the scan header entropy-coded data with stuffed FF 00, restart
     * markers FF D0..D7 and a fill byte before the end marker.
     */
    static byte[] craftedJpeg() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] soi = {0xff, 0xd8};
        int[] thumbnail = {0xff, 0xd8, 0xff, 0xd9};
        int[] app1Payload = {'E', 'x', 'i', 'f', 0, 0};
        write(out, soi);
        write(out, 0xff, 0xe1, 0, 2 + app1Payload.length + thumbnail.length);
        write(out, app1Payload);
        write(out, thumbnail);
        // SOF0: precision 8, height 240, width 320, three components
        write(out, 0xff, 0xc0, 0, 17, 8, 0, 240, 1, 64, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1);
        write(out, 0xff, 0xdd, 0, 4, 0, 8); // DRI: restart every 8 MCUs
        write(out, 0xff, 0xda, 0, 12, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 0x3f, 0); // SOS
        write(out, 0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56, 0xff, 0x00, 0xd9, 0xff, 0xd7, 0x78, 0xff, 0xff, 0xd9);
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, int... bytes) {
        for (int b : bytes) out.write(b);
    }

    static byte[] noisyJpeg(int w, int h, long seed) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, random.nextInt());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "jpg", out);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    private static void assertImage(byte[] expected, int w, int h, JpegSplitter.Image actual) {
        assertArrayEquals(expected, actual.bytes());
        assertEquals(w, actual.width());
        assertEquals(h, actual.height());
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int j = 0; j < pattern.length; j++) if (data[i + j] != pattern[j]) continue outer;
            return i;
        }
        return -1;
    }
}
