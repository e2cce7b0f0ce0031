package io.skypack.stream;

import io.skypack.schema.Frame;
import io.skypack.schema.ImageEncoding;
import io.skypack.schema.RejectReason;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * The "decode and validate" stage's check of one {@link Frame} (DESIGN.md section 2): either the
 * decoded image, or the {@link RejectReason} and a message that says what was wrong, for the
 * dead-letter record. Never throws on bad input.
 *
 * <p>Order of checks, cheapest first, so hostile input costs little: required fields (and a flight id of
 * at most {@link #MAX_FLIGHT_ID_CHARS} characters), declared size
 * positive and within the pixel limit, payload within the byte limit, then the image header (the
 * real size, read without decoding pixels: a small PNG can declare 60,000 x 60,000 pixels and would
 * otherwise allocate gigabytes), and only then the pixels.
 *
 * <p>Thread-safe: no state but the limits.
 */
public final class FrameValidator {

    /** The outcome: exactly one of {@code image} and {@code reason} is non-null. */
    public record Result(BufferedImage image, RejectReason reason, String message) {
        static Result ok(BufferedImage image) {
            return new Result(image, null, null);
        }

        static Result reject(RejectReason reason, String message) {
            return new Result(null, reason, message);
        }

        public boolean accepted() {
            return image != null;
        }
    }

    /**
     * Longest flight id accepted, in characters. The flight id is the key of every output record and is
     * stored with every buffered frame, so a hostile one of a few hundred kB would make those records
     * larger than the broker accepts, fail the task on every attempt, and stop the partition.
     */
    public static final int MAX_FLIGHT_ID_CHARS = 1024;

    private final long maxImageBytes;
    private final long maxPixels;

    /**
     * @param maxImageBytes largest encoded image payload accepted, bytes, positive
     * @param maxPixels largest width x height accepted, positive
     */
    public FrameValidator(long maxImageBytes, long maxPixels) {
        if (maxImageBytes <= 0) throw new IllegalArgumentException("maxImageBytes must be positive: " + maxImageBytes);
        if (maxPixels <= 0) throw new IllegalArgumentException("maxPixels must be positive: " + maxPixels);
        this.maxImageBytes = maxImageBytes;
        this.maxPixels = maxPixels;
    }

    /** The largest encoded image accepted, bytes. */
    public long maxImageBytes() {
        return maxImageBytes;
    }

    public Result validate(Frame frame) {
        if (frame.getFlightId() == null || frame.getFlightId().toString().isBlank()) {
            return Result.reject(RejectReason.MISSING_FIELD, "flightId is empty");
        }
        if (frame.getFlightId().length() > MAX_FLIGHT_ID_CHARS) {
            return Result.reject(
                    RejectReason.CORRUPT_RECORD,
                    "flightId is " + frame.getFlightId().length() + " characters long, over the limit of "
                            + MAX_FLIGHT_ID_CHARS);
        }
        if (frame.getImage() == null) {
            return Result.reject(
                    RejectReason.MISSING_FIELD,
                    frame.getImageRef() == null
                            ? "neither image nor imageRef is set"
                            : "imageRef frames are not supported by this worker; send the image inline");
        }
        int w = frame.getWidth(), h = frame.getHeight();
        if (w <= 0 || h <= 0) {
            return Result.reject(RejectReason.ZERO_SIZE_IMAGE, "declared size " + w + "x" + h);
        }
        if ((long) w * h > maxPixels) {
            return Result.reject(
                    RejectReason.FRAME_TOO_LARGE,
                    String.format(Locale.ROOT, "declared %dx%d is over the limit of %d pixels", w, h, maxPixels));
        }
        ByteBuffer buf = frame.getImage().duplicate();
        byte[] bytes = new byte[buf.remaining()];
        buf.get(bytes);
        if (bytes.length == 0) {
            return Result.reject(RejectReason.ZERO_SIZE_IMAGE, "image is 0 bytes");
        }
        if (bytes.length > maxImageBytes) {
            return Result.reject(
                    RejectReason.FRAME_TOO_LARGE,
                    "image is " + bytes.length + " bytes, over the limit of " + maxImageBytes);
        }
        return frame.getEncoding() == ImageEncoding.RAW_RGB
                ? raw(bytes, w, h)
                : encoded(bytes, w, h, frame.getEncoding());
    }

    private static Result raw(byte[] rgb, int w, int h) {
        long expected = 3L * w * h;
        if (rgb.length != expected) {
            return Result.reject(
                    RejectReason.SIZE_MISMATCH,
                    "RAW_RGB " + w + "x" + h + " needs " + expected + " bytes, got " + rgb.length);
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w];
        for (int y = 0, i = 0; y < h; y++) {
            for (int x = 0; x < w; x++, i += 3) {
                row[x] = (rgb[i] & 0xff) << 16 | (rgb[i + 1] & 0xff) << 8 | (rgb[i + 2] & 0xff);
            }
            img.setRGB(0, y, w, 1, row, 0, w);
        }
        return Result.ok(img);
    }

    private Result encoded(byte[] bytes, int w, int h, ImageEncoding encoding) {
        // In memory: ImageIO.createImageInputStream would copy an InputStream through a temporary file (its
        // default cache), a file written and read back for every frame on the stream thread.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return Result.reject(RejectReason.CORRUPT_IMAGE, "not a readable " + encoding + " image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                String format = reader.getFormatName().toUpperCase(Locale.ROOT);
                if (!format.equals(encoding.name()) && !(encoding == ImageEncoding.JPEG && format.equals("JPG"))) {
                    return Result.reject(
                            RejectReason.CORRUPT_IMAGE, "declared " + encoding + " but the bytes are " + format);
                }
                int rw = reader.getWidth(0), rh = reader.getHeight(0);
                if (rw <= 0 || rh <= 0) {
                    return Result.reject(RejectReason.ZERO_SIZE_IMAGE, "image header says " + rw + "x" + rh);
                }
                if (rw != w || rh != h) {
                    return Result.reject(
                            RejectReason.SIZE_MISMATCH,
                            "declared " + w + "x" + h + " but the image is " + rw + "x" + rh);
                }
                // A truncated JPEG decodes "successfully" with grey rows and a warning
                // ("Premature end of JPEG file"); a frame with made-up pixels is corrupt.
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                BufferedImage img = reader.read(0);
                if (!warnings.isEmpty()) {
                    return Result.reject(RejectReason.CORRUPT_IMAGE, encoding + " decoded with warnings: " + warnings);
                }
                return Result.ok(img);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            // ImageIO reports truncated and corrupt data as IIOException, and some codecs as
            // IndexOutOfBounds or IllegalArgument: all of them mean the bytes are not an image.
            return Result.reject(RejectReason.CORRUPT_IMAGE, "cannot decode " + encoding + ": " + e.getMessage());
        }
    }
}
