package io.skypack.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.schema.Frame;
import io.skypack.schema.ImageEncoding;
import io.skypack.schema.RejectReason;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrameValidatorTest {
    private final FrameValidator validator = new FrameValidator(1 << 20, 4096L * 4096);

    private static byte[] encode(int w, int h, String format) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(200, 30, 30));
        g.fillRect(w / 4, h / 4, w / 2, h / 2);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, format, out);
        return out.toByteArray();
    }

    private static Frame frame(int w, int h, ImageEncoding encoding, byte[] image) {
        return Frame.newBuilder()
                .setFlightId("f1")
                .setFrameIndex(7)
                .setCaptureTime(java.time.Instant.ofEpochMilli(1_700_000_000_000L))
                .setWidth(w)
                .setHeight(h)
                .setEncoding(encoding)
                .setImage(image == null ? null : ByteBuffer.wrap(image))
                .build();
    }

    private void assertRejected(Frame f, RejectReason reason, String messagePart) {
        FrameValidator.Result r = validator.validate(f);
        assertEquals(reason, r.reason(), r.message());
        assertNull(r.image());
        assertTrue(r.message().contains(messagePart), r.message());
    }

    @Test
    void shouldDecodeInMemoryNotThroughImageIOsTemporaryFiles(@TempDir Path dir) throws IOException {
        byte[] jpeg = encode(64, 48, "jpeg"); // encoded before the cache folder goes
        boolean useCache = ImageIO.getUseCache();
        File cacheDirectory = ImageIO.getCacheDirectory();
        // ImageIO's default stream for an InputStream caches it in a temporary file in this folder; with the folder
        // gone every such stream fails, so only a decoder that keeps the frame's bytes in memory accepts it.
        Path gone = Files.createDirectory(dir.resolve("cache"));
        ImageIO.setUseCache(true);
        ImageIO.setCacheDirectory(gone.toFile());
        try {
            Files.delete(gone);
            FrameValidator.Result r = validator.validate(frame(64, 48, ImageEncoding.JPEG, jpeg));
            assertTrue(r.accepted(), r.message());
        } finally {
            ImageIO.setCacheDirectory(cacheDirectory);
            ImageIO.setUseCache(useCache);
        }
    }

    @Test
    void shouldDecodeAGoodJpegAndPngAtTheirDeclaredSize() throws IOException {
        for (var enc : new ImageEncoding[] {ImageEncoding.JPEG, ImageEncoding.PNG}) {
            FrameValidator.Result r = validator.validate(
                    frame(64, 48, enc, encode(64, 48, enc.name().toLowerCase())));
            assertTrue(r.accepted(), enc + ": " + r.message());
            assertEquals(64, r.image().getWidth());
            assertEquals(48, r.image().getHeight());
            // The centre is the red rectangle (JPEG loses a little).
            Color c = new Color(r.image().getRGB(32, 24));
            assertTrue(c.getRed() > 170 && c.getGreen() < 70, enc + " centre " + c);
        }
    }

    @Test
    void shouldDecodeRawRgbRowMajor() {
        byte[] rgb = new byte[3 * 2 * 2];
        rgb[3 * 3] = (byte) 255; // pixel (1, 1) red
        FrameValidator.Result r = validator.validate(frame(2, 2, ImageEncoding.RAW_RGB, rgb));
        assertTrue(r.accepted(), r.message());
        assertEquals(0xff0000, r.image().getRGB(1, 1) & 0xffffff);
        assertEquals(0, r.image().getRGB(0, 1) & 0xffffff);
    }

    @Test
    void shouldRejectACorruptJpeg() throws IOException {
        byte[] jpeg = encode(64, 48, "jpg");
        byte[] garbage = jpeg.clone();
        Arrays.fill(garbage, 0, 16, (byte) 0x5a); // no JPEG signature left
        assertRejected(frame(64, 48, ImageEncoding.JPEG, garbage), RejectReason.CORRUPT_IMAGE, "not a readable JPEG");
    }

    @Test
    void shouldRejectATruncatedJpegThatImageIoWouldPadWithGrey() throws IOException {
        byte[] jpeg = encode(64, 48, "jpg");
        assertRejected(
                frame(64, 48, ImageEncoding.JPEG, Arrays.copyOf(jpeg, jpeg.length / 2)),
                RejectReason.CORRUPT_IMAGE,
                "JPEG");
    }

    @Test
    void shouldRejectAFlightIdOverTheLimit() {
        Frame f = frame(2, 2, ImageEncoding.RAW_RGB, new byte[12]);
        f.setFlightId("f".repeat(FrameValidator.MAX_FLIGHT_ID_CHARS));
        assertTrue(validator.validate(f).accepted(), "at the limit");
        f.setFlightId("f".repeat(FrameValidator.MAX_FLIGHT_ID_CHARS + 1));
        assertRejected(f, RejectReason.CORRUPT_RECORD, "flightId is 1025 characters long, over the limit of 1024");
    }

    @Test
    void shouldRejectBytesOfAnotherFormatThanDeclared() throws IOException {
        assertRejected(
                frame(64, 48, ImageEncoding.JPEG, encode(64, 48, "png")),
                RejectReason.CORRUPT_IMAGE,
                "declared JPEG but the bytes are PNG");
    }

    @Test
    void shouldRejectADeclaredSizeThatDisagreesWithTheImage() throws IOException {
        assertRejected(
                frame(640, 480, ImageEncoding.PNG, encode(64, 48, "png")),
                RejectReason.SIZE_MISMATCH,
                "declared 640x480 but the image is 64x48");
        assertRejected(
                frame(2, 2, ImageEncoding.RAW_RGB, new byte[11]), RejectReason.SIZE_MISMATCH, "needs 12 bytes, got 11");
    }

    @Test
    void shouldRejectZeroSizeImages() {
        assertRejected(
                frame(0, 48, ImageEncoding.PNG, new byte[10]), RejectReason.ZERO_SIZE_IMAGE, "declared size 0x48");
        assertRejected(frame(64, 48, ImageEncoding.PNG, new byte[0]), RejectReason.ZERO_SIZE_IMAGE, "0 bytes");
    }

    @Test
    void shouldRejectOversizedFramesBeforeDecodingThem() throws IOException {
        FrameValidator small = new FrameValidator(1000, 100L * 100);
        FrameValidator.Result pixels = small.validate(frame(101, 100, ImageEncoding.PNG, encode(101, 100, "png")));
        assertEquals(RejectReason.FRAME_TOO_LARGE, pixels.reason());
        assertTrue(pixels.message().contains("over the limit of 10000 pixels"), pixels.message());
        FrameValidator.Result bytes = small.validate(frame(2, 2, ImageEncoding.PNG, new byte[1001]));
        assertEquals(RejectReason.FRAME_TOO_LARGE, bytes.reason());
        assertTrue(bytes.message().contains("1001 bytes"), bytes.message());
    }

    @Test
    void shouldRejectMissingImageAndFlight() {
        assertRejected(
                frame(64, 48, ImageEncoding.PNG, null), RejectReason.MISSING_FIELD, "neither image nor imageRef");
        Frame noFlight = frame(2, 2, ImageEncoding.RAW_RGB, new byte[12]);
        noFlight.setFlightId(" ");
        assertRejected(noFlight, RejectReason.MISSING_FIELD, "flightId");
    }

    @Test
    void shouldRefuseNonPositiveLimits() {
        assertThrows(IllegalArgumentException.class, () -> new FrameValidator(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new FrameValidator(1, -1));
    }
}
