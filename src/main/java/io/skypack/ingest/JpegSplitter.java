package io.skypack.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * Splits a byte stream of concatenated JPEG images (what {@code ffmpeg -f image2pipe -c:v mjpeg -} writes)
 * into single images, one at a time, holding at most one image in memory.
 *
 * <p>It walks the JPEG marker structure instead of searching for the end marker, because FF D9 can occur
 * inside an image that is not its end: a marker segment's payload is skipped by its length (an EXIF
 * thumbnail in APP1 is a whole JPEG, end marker included), and in entropy-coded data after a start-of-scan
 * an FF byte is always followed by 00 (byte stuffing), a restart marker D0..D7 or another FF (fill), so
 * the first FF followed by anything else is the next marker (ITU T.81, B.1.1.5 and F.1.2.3).
 *
 * <p>Bytes outside an image (before its start marker, or an image whose structure is broken) are skipped
 * and counted in {@link #skippedBytes()}; an image cut off by the end of the stream is dropped and
 * counted in {@link #truncatedBytes()}. Neither is an error: the caller decides, knowing why the stream
 * ended.
 */
public final class JpegSplitter {
    /** One image: its bytes from start marker to end marker, and the size in its frame header (0 if none). */
    public record Image(byte[] bytes, int width, int height) {}

    private static final int FF = 0xff;
    private static final int SOI = 0xd8;
    private static final int EOI = 0xd9;
    private static final int SOS = 0xda;

    private final InputStream in;
    private final int maxImageBytes;
    private byte[] buf = new byte[64 * 1024];
    private int start; // first byte of the image being parsed
    private int limit; // end of the bytes read so far
    private boolean eof;
    private long skipped;
    private long truncated;

    /**
     * @param in the stream; read in chunks, never closed here
     * @param maxImageBytes an image longer than this fails {@link #next()} (guards memory against a
     *     stream that is not JPEG)
     */
    public JpegSplitter(InputStream in, int maxImageBytes) {
        this.in = Objects.requireNonNull(in, "in");
        if (maxImageBytes < 4) throw new IllegalArgumentException("maxImageBytes must be >= 4: " + maxImageBytes);
        this.maxImageBytes = maxImageBytes;
    }

    /**
     * The next complete image, or {@code null} at the end of the stream.
     *
     * @throws IOException when reading fails, or an image is longer than the limit
     */
    public Image next() throws IOException {
        while (true) {
            // Find a start-of-image marker; whatever precedes it is not part of an image.
            while (true) {
                if (!ensure(2)) {
                    skipped += limit - start;
                    start = limit;
                    return null;
                }
                if (at(0) == FF && at(1) == SOI) break;
                start++;
                skipped++;
            }
            Image image = parseImage();
            if (image != null) return image;
        }
    }

    /**
     * Parses the image starting at {@code start}. Returns it and moves past it; or returns {@code null}
     * having skipped a broken image's first byte (the caller resynchronises on the next start marker) or,
     * at the end of the stream, the truncated remainder.
     */
    private Image parseImage() throws IOException {
        int p = 2; // offset of the next marker, relative to start
        int width = 0, height = 0;
        while (true) {
            if (!ensure(p + 2)) return truncatedTail();
            if (at(p) != FF) return broken();
            int m = at(p + 1);
            if (m == FF) { // fill byte before a marker
                p++;
                continue;
            }
            if (m == EOI) {
                byte[] bytes = Arrays.copyOfRange(buf, start, start + p + 2);
                start += p + 2;
                return new Image(bytes, width, height);
            }
            if (m == SOI) { // a new image began before this one ended: drop this one
                skipped += p;
                start += p;
                p = 2;
                width = height = 0;
                continue;
            }
            if ((m >= 0xd0 && m <= 0xd7) || m == 0x01) { // standalone markers (RSTn, TEM)
                p += 2;
                continue;
            }
            if (!ensure(p + 4)) return truncatedTail();
            int length = (at(p + 2) << 8) | at(p + 3); // includes its own two bytes
            if (length < 2) return broken();
            if (isStartOfFrame(m)) {
                if (!ensure(p + 9)) return truncatedTail();
                height = (at(p + 5) << 8) | at(p + 6);
                width = (at(p + 7) << 8) | at(p + 8);
            }
            p += 2 + length;
            if (m == SOS) p = endOfEntropyCodedData(p);
            if (p < 0) return truncatedTail();
        }
    }

    /** The offset of the first marker after entropy-coded data starting at {@code p}, or -1 at end of stream. */
    private int endOfEntropyCodedData(int p) throws IOException {
        while (true) {
            if (!ensure(p + 2)) return -1;
            if (buf[start + p] != (byte) FF) {
                p++;
                continue;
            }
            int next = at(p + 1);
            if (next == 0x00 || (next >= 0xd0 && next <= 0xd7)) p += 2; // stuffed FF, restart marker
            else if (next == FF) p++; // fill byte: the marker starts at the next FF
            else return p;
        }
    }

    private static boolean isStartOfFrame(int m) {
        return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc; // not DHT, JPG, DAC
    }

    private Image truncatedTail() {
        truncated += limit - start;
        start = limit;
        return null;
    }

    private Image broken() {
        start++;
        skipped++;
        return null;
    }

    private int at(int offset) {
        return buf[start + offset] & 0xff;
    }

    /** Makes bytes [start, start + n) available; false when the stream ends first. */
    private boolean ensure(int n) throws IOException {
        if (n > maxImageBytes) {
            throw new IOException("a JPEG image in the stream is longer than " + maxImageBytes + " bytes");
        }
        while (limit - start < n) {
            if (eof) return false;
            if (start > 0) { // keep only the image being parsed
                System.arraycopy(buf, start, buf, 0, limit - start);
                limit -= start;
                start = 0;
            }
            if (limit == buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min((long) buf.length * 2, maxImageBytes + 8L));
            }
            int read = in.read(buf, limit, buf.length - limit);
            if (read < 0) eof = true;
            else limit += read;
        }
        return true;
    }

    /** Bytes that belonged to no complete image: before a start marker, or in a broken image. */
    public long skippedBytes() {
        return skipped;
    }

    /** Bytes of an image that the end of the stream cut off. */
    public long truncatedBytes() {
        return truncated;
    }
}
