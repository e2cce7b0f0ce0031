package io.skypack.detect;

import java.util.Arrays;

/**
 * A binary mask of {@code height x width} pixels in COCO run-length encoding: runs alternate 0s and
 * 1s, start with a (possibly empty) run of 0s, and walk the pixels in column-major (Fortran) order,
 * exactly as pycocotools does, so {@link #toCocoString()} output decodes there and vice versa.
 *
 * <p>Immutable. The mask covers whatever image its owner says: a full frame for datasets and the
 * evaluator, the detection box for records on the detections topic.
 */
public final class MaskRle {
    private final int height;
    private final int width;
    private final int[] counts;

    private MaskRle(int height, int width, int[] counts) {
        if (height < 0 || width < 0) {
            throw new IllegalArgumentException("negative mask size " + height + "x" + width);
        }
        long total = 0;
        for (int c : counts) {
            if (c < 0) {
                throw new IllegalArgumentException("negative run length " + c);
            }
            total += c;
        }
        if (total != (long) height * width) {
            throw new IllegalArgumentException("runs cover " + total + " pixels, mask has " + (long) height * width);
        }
        this.height = height;
        this.width = width;
        this.counts = counts;
    }

    /** From uncompressed COCO counts (column-major, starting with zeros). */
    public static MaskRle ofCounts(int height, int width, int[] counts) {
        return new MaskRle(height, width, counts.clone());
    }

    /** Encodes a row-major mask ({@code mask[y * width + x]}). */
    public static MaskRle encode(boolean[] mask, int height, int width) {
        if (mask.length != height * width) {
            throw new IllegalArgumentException("mask has " + mask.length + " pixels, expected " + height * width);
        }
        Runs runs = new Runs();
        boolean current = false;
        int run = 0;
        for (int x = 0; x < width; x++) {
            for (int y = 0; y < height; y++) {
                boolean v = mask[y * width + x];
                if (v != current) {
                    runs.add(run);
                    run = 0;
                    current = v;
                }
                run++;
            }
        }
        runs.add(run);
        return new MaskRle(height, width, runs.toArray());
    }

    /** Decides whether pixel (x, y) of a mask being encoded is set. */
    @FunctionalInterface
    public interface PixelTest {
        boolean test(int x, int y);
    }

    /**
     * Encodes a mask whose set pixels all lie in [x0, x1) x [y0, y1), visiting only that window, so
     * a small object in a large frame costs its own area, not the frame's.
     */
    public static MaskRle encodeWindow(int height, int width, int x0, int y0, int x1, int y1, PixelTest test) {
        x0 = Math.max(0, x0);
        y0 = Math.max(0, y0);
        x1 = Math.min(width, x1);
        y1 = Math.min(height, y1);
        Runs runs = new Runs();
        long runStart = 0; // column-major index where the current run (of 0s or 1s) began
        boolean ones = false;
        for (int x = x0; x < x1; x++) {
            for (int y = y0; y < y1; y++) {
                boolean v = test.test(x, y);
                if (v != ones) {
                    long p = (long) x * height + y;
                    runs.add((int) (p - runStart));
                    runStart = p;
                    ones = v;
                }
            }
            // The pixel after this column's window is outside the window (so 0) unless the
            // window spans full columns and another column follows.
            if (ones && (y1 < height || y0 > 0 || x == x1 - 1)) {
                long end = (long) x * height + y1;
                runs.add((int) (end - runStart));
                runStart = end;
                ones = false;
            }
        }
        long tail = (long) height * width - runStart;
        if (tail > 0 || runs.isEmpty()) {
            runs.add((int) tail); // as encode(): no empty run after the last foreground pixel
        }
        return new MaskRle(height, width, runs.toArray());
    }

    /** An all-zero mask. */
    public static MaskRle empty(int height, int width) {
        return new MaskRle(height, width, new int[] {height * width});
    }

    /** The filled rectangle [x1, x2) x [y1, y2), clipped to the mask (integer pixel bounds). */
    public static MaskRle ofRectangle(int height, int width, int x1, int y1, int x2, int y2) {
        boolean[] m = new boolean[height * width];
        for (int y = Math.max(0, y1); y < Math.min(height, y2); y++) {
            for (int x = Math.max(0, x1); x < Math.min(width, x2); x++) {
                m[y * width + x] = true;
            }
        }
        return encode(m, height, width);
    }

    /** Row-major decoded mask. */
    public boolean[] decode() {
        boolean[] m = new boolean[height * width];
        int pos = 0;
        boolean v = false;
        for (int c : counts) {
            if (v) {
                for (int i = pos; i < pos + c; i++) {
                    int x = i / height;
                    int y = i % height;
                    m[y * width + x] = true;
                }
            }
            pos += c;
            v = !v;
        }
        return m;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** Uncompressed counts (a copy). */
    public int[] counts() {
        return counts.clone();
    }

    /** Receives one vertical run of foreground pixels: column x, rows [y0, y1). */
    @FunctionalInterface
    public interface SegmentConsumer {
        void accept(int x, int y0, int y1);
    }

    /**
     * Visits the foreground as vertical segments, column by column, without decoding the whole
     * mask: costs the number of runs plus the columns they span, not the image size.
     */
    public void forEachSegment(SegmentConsumer consumer) {
        long pos = 0;
        for (int i = 0; i < counts.length; i++) {
            long end = pos + counts[i];
            if (i % 2 == 1) {
                for (long p = pos; p < end; ) {
                    int x = (int) (p / height);
                    int y0 = (int) (p % height);
                    long columnEnd = (long) (x + 1) * height;
                    long stop = Math.min(end, columnEnd);
                    consumer.accept(x, y0, (int) (y0 + (stop - p)));
                    p = stop;
                }
            }
            pos = end;
        }
    }

    /**
     * The part of this mask inside the window {@code [x0, x1) x [y0, y1)}, as a mask of the window's
     * size (how a detection's mask travels on the detections topic: within its box). The window may
     * reach outside the mask; pixels there are background.
     */
    public MaskRle crop(int x0, int y0, int x1, int y1) {
        if (x1 < x0 || y1 < y0) {
            throw new IllegalArgumentException("empty crop window [" + x0 + ", " + x1 + ") x [" + y0 + ", " + y1 + ")");
        }
        int w = x1 - x0, h = y1 - y0;
        boolean[] window = new boolean[w * h];
        forEachSegment((x, s0, s1) -> {
            if (x < x0 || x >= x1) return;
            for (int y = Math.max(s0, y0); y < Math.min(s1, y1); y++) window[(y - y0) * w + (x - x0)] = true;
        });
        return encode(window, h, w);
    }

    /** Number of foreground pixels. */
    public long area() {
        long a = 0;
        for (int i = 1; i < counts.length; i += 2) {
            a += counts[i];
        }
        return a;
    }

    /** Tight bounding box of the foreground, or null when the mask is empty. */
    public Box boundingBox() {
        int minX = Integer.MAX_VALUE, minY = Integer.MAX_VALUE, maxX = -1, maxY = -1;
        int pos = 0;
        for (int i = 0; i < counts.length; i++) {
            if (i % 2 == 1 && counts[i] > 0) {
                int start = pos;
                int end = pos + counts[i] - 1;
                int xs = start / height;
                int xe = end / height;
                minX = Math.min(minX, xs);
                maxX = Math.max(maxX, xe);
                if (xs == xe) {
                    minY = Math.min(minY, start % height);
                    maxY = Math.max(maxY, end % height);
                } else {
                    // A run over a column boundary ends one column at its last row and starts the
                    // next at row 0, so it spans the full height.
                    minY = 0;
                    maxY = height - 1;
                }
            }
            pos += counts[i];
        }
        return maxX < 0 ? null : new Box(minX, minY, maxX + 1, maxY + 1);
    }

    /** Pixels set in both masks. Both masks must have the same size. */
    public long intersectionArea(MaskRle other) {
        requireSameSize(other);
        long inter = 0;
        int i = 0, j = 0;
        long endA = counts.length > 0 ? counts[0] : 0, endB = other.counts.length > 0 ? other.counts[0] : 0;
        long pos = 0;
        // Walk the merged run boundaries; runs with odd index are foreground.
        while (i < counts.length && j < other.counts.length) {
            long next = Math.min(endA, endB);
            if (i % 2 == 1 && j % 2 == 1) {
                inter += next - pos;
            }
            pos = next;
            if (endA == next) {
                i++;
                if (i < counts.length) endA += counts[i];
            }
            if (endB == next) {
                j++;
                if (j < other.counts.length) endB += other.counts[j];
            }
        }
        return inter;
    }

    /** Pixels set in either mask, in the same canonical runs as {@link #encode}. Both masks must have the same size. */
    public MaskRle union(MaskRle other) {
        requireSameSize(other);
        long[] a = foregroundRuns(), b = other.foregroundRuns();
        Runs runs = new Runs();
        long written = 0, start = -1, end = -1;
        int i = 0, j = 0;
        // Foreground runs of both masks by start; overlapping or touching runs join.
        while (i < a.length || j < b.length) {
            long[] src = j >= b.length || (i < a.length && a[i] <= b[j]) ? a : b;
            int k = src == a ? i : j;
            if (src == a) i += 2;
            else j += 2;
            if (start >= 0 && src[k] <= end) {
                end = Math.max(end, src[k + 1]);
                continue;
            }
            if (start >= 0) {
                runs.add((int) (start - written));
                runs.add((int) (end - start));
                written = end;
            }
            start = src[k];
            end = src[k + 1];
        }
        if (start >= 0) {
            runs.add((int) (start - written));
            runs.add((int) (end - start));
            written = end;
        }
        long tail = (long) height * width - written;
        if (tail > 0 || runs.isEmpty()) runs.add((int) tail);
        return new MaskRle(height, width, runs.toArray());
    }

    /** Non-empty foreground runs as column-major {start, end} pairs, in order. */
    private long[] foregroundRuns() {
        long[] out = new long[counts.length];
        int n = 0;
        long pos = 0;
        for (int i = 0; i < counts.length; i++) {
            if (i % 2 == 1 && counts[i] > 0) {
                out[n++] = pos;
                out[n++] = pos + counts[i];
            }
            pos += counts[i];
        }
        return Arrays.copyOf(out, n);
    }

    /** Mask intersection over union; 0 when both are empty. */
    public double iou(MaskRle other) {
        long inter = intersectionArea(other);
        long union = area() + other.area() - inter;
        return union == 0 ? 0 : (double) inter / union;
    }

    /**
     * COCO's compact string form (pycocotools {@code rleToString}): each count, delta-coded against
     * the count two before it from the fourth on, written as 5-bit groups in ASCII 48..111.
     */
    public String toCocoString() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < counts.length; i++) {
            long x = counts[i];
            if (i > 2) {
                x -= counts[i - 2];
            }
            boolean more = true;
            while (more) {
                long c = x & 0x1f;
                x >>= 5;
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more) {
                    c |= 0x20;
                }
                s.append((char) (c + 48));
            }
        }
        return s.toString();
    }

    /**
     * Parses COCO's compact string form (pycocotools {@code rleFrString}).
     *
     * @throws IllegalArgumentException for a character outside ASCII 48..111, a string that ends
     *     inside a count, a count that is negative or beyond {@code int}, or runs that do not cover
     *     exactly {@code height x width} pixels
     */
    public static MaskRle fromCocoString(String s, int height, int width) {
        Runs cnts = new Runs();
        int p = 0;
        while (p < s.length()) {
            long x = 0;
            int k = 0;
            boolean more = true;
            while (more) {
                if (p >= s.length()) {
                    throw new IllegalArgumentException("truncated RLE string at character " + p);
                }
                int c = s.charAt(p) - 48;
                if (c < 0 || c > 63) {
                    throw new IllegalArgumentException("invalid RLE character '" + s.charAt(p) + "' at " + p);
                }
                // Seven 5-bit groups hold any difference of two int counts; more would shift past
                // the 64 bits of x and wrap silently.
                if (k == 7) {
                    throw new IllegalArgumentException("RLE count too long at character " + p);
                }
                x |= (long) (c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (!more && (c & 0x10) != 0) {
                    x |= -1L << (5 * k);
                }
            }
            int m = cnts.size;
            if (m > 2) {
                x += cnts.at(m - 2);
            }
            // pycocotools stores counts as uint and would wrap too; refuse rather than cast.
            if (x < 0 || x > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("RLE count " + m + " out of range: " + x);
            }
            cnts.add((int) x);
        }
        return new MaskRle(height, width, cnts.toArray());
    }

    private void requireSameSize(MaskRle other) {
        if (other.height != height || other.width != width) {
            throw new IllegalArgumentException(
                    "mask sizes differ: " + height + "x" + width + " vs " + other.height + "x" + other.width);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MaskRle m && m.height == height && m.width == width && Arrays.equals(m.counts, counts);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * height + width) + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        return "MaskRle[" + height + "x" + width + ", area=" + area() + "]";
    }

    /** A growing list of run lengths, unboxed: encoding a mask adds a run per edge it crosses. */
    private static final class Runs {
        private int[] values = new int[32];
        private int size;

        void add(int run) {
            if (size == values.length) values = Arrays.copyOf(values, 2 * size);
            values[size++] = run;
        }

        int at(int i) {
            return values[i];
        }

        boolean isEmpty() {
            return size == 0;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
