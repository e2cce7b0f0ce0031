package io.skypack.detect;

import java.awt.image.BufferedImage;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.SinglePixelPackedSampleModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Draws mosaics from frames: every chip shows its source region scaled bilinearly, the rest of the
 * canvas is a flat grey.
 *
 * <p>Sampling follows the pixel-centre convention (PyTorch {@code align_corners=False}, OpenCV
 * {@code resize}): mosaic pixel u of a chip samples frame x = {@code x1 + (u - chipX + 0.5) / zoom -
 * 0.5} in pixel-index coordinates, which is {@link Chip#toFrameX} at the pixel centre. Neighbours
 * outside the frame are clamped to its edge; neighbours outside the region but inside the frame are
 * used as they are, since they are real image content.
 *
 * <p>Output images are {@link BufferedImage#TYPE_INT_RGB}, what {@code MpDetRunner} and {@code
 * InputImages} take. Frames of that type (or {@code TYPE_INT_ARGB}, alpha ignored) are read in
 * place; {@code TYPE_3BYTE_BGR} frames (decoded JPEGs) are read from their bytes, others through
 * their colour model, once per frame and render call.
 */
public final class MosaicRenderer {
    /** The background grey, equal to {@code io.skypack.model.InputImages.PAD_GREY}, the padding the models were trained with. */
    public static final int DEFAULT_BACKGROUND = 115;

    private final int background;

    /** @param background grey level 0..255 of canvas pixels outside chips */
    public MosaicRenderer(int background) {
        if (background < 0 || background > 255) {
            throw new IllegalArgumentException("background grey outside 0..255: " + background);
        }
        this.background = background;
    }

    public MosaicRenderer() {
        this(DEFAULT_BACKGROUND);
    }

    /** One image per mosaic, in mosaic order. {@code frames} maps every chip's frame index to its frame. */
    public List<BufferedImage> render(PackingResult packing, Map<Integer, BufferedImage> frames) {
        Map<Integer, Pixels> cache = new HashMap<>();
        List<BufferedImage> out = new ArrayList<>(packing.mosaics().size());
        for (Mosaic m : packing.mosaics()) {
            out.add(render(m, frames, cache));
        }
        return out;
    }

    /** One mosaic. {@code frames} maps every chip's frame index to its frame. */
    public BufferedImage render(Mosaic mosaic, Map<Integer, BufferedImage> frames) {
        return render(mosaic, frames, new HashMap<>());
    }

    private BufferedImage render(Mosaic mosaic, Map<Integer, BufferedImage> frames, Map<Integer, Pixels> cache) {
        int size = mosaic.size();
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        int[] dst = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        Arrays.fill(dst, background << 16 | background << 8 | background);
        for (Chip chip : mosaic.chips()) {
            if (chip.x() < 0 || chip.y() < 0 || chip.x() + chip.w() > size || chip.y() + chip.h() > size) {
                throw new IllegalArgumentException("chip outside its " + size + " px canvas: " + chip);
            }
            Pixels src = cache.computeIfAbsent(chip.frameIndex(), f -> Pixels.of(frames.get(f), f));
            Box r = chip.sourceRegion();
            if (r.x1() < 0 || r.y1() < 0 || r.x2() > src.width || r.y2() > src.height) {
                throw new IllegalArgumentException("chip source " + r + " outside frame " + chip.frameIndex() + " ("
                        + src.width + "x" + src.height + ")");
            }
            drawChip(chip, src, dst, size);
        }
        return img;
    }

    private static void drawChip(Chip chip, Pixels src, int[] dst, int stride) {
        int w = chip.w(), h = chip.h();
        // Column and row lookups once per chip: left/top neighbour index and weight of the other.
        int[] x0 = new int[w], x1 = new int[w];
        double[] tx = new double[w];
        for (int u = 0; u < w; u++) {
            double sx = chip.sourceRegion().x1() + (u + 0.5) / chip.zoom() - 0.5;
            axis(sx, src.width, u, x0, x1, tx);
        }
        int[] y0 = new int[h], y1 = new int[h];
        double[] ty = new double[h];
        for (int v = 0; v < h; v++) {
            double sy = chip.sourceRegion().y1() + (v + 0.5) / chip.zoom() - 0.5;
            axis(sy, src.height, v, y0, y1, ty);
        }
        int[] p = src.argb;
        for (int v = 0; v < h; v++) {
            int row0 = src.offset + y0[v] * src.stride, row1 = src.offset + y1[v] * src.stride;
            double b = ty[v], a = 1 - b;
            int out = (chip.y() + v) * stride + chip.x();
            for (int u = 0; u < w; u++) {
                int p00 = p[row0 + x0[u]], p01 = p[row0 + x1[u]], p10 = p[row1 + x0[u]], p11 = p[row1 + x1[u]];
                double d = tx[u], c = 1 - d;
                double w00 = c * a, w01 = d * a, w10 = c * b, w11 = d * b;
                int red = channel(p00 >> 16, p01 >> 16, p10 >> 16, p11 >> 16, w00, w01, w10, w11);
                int green = channel(p00 >> 8, p01 >> 8, p10 >> 8, p11 >> 8, w00, w01, w10, w11);
                int blue = channel(p00, p01, p10, p11, w00, w01, w10, w11);
                dst[out + u] = red << 16 | green << 8 | blue;
            }
        }
    }

    private static void axis(double s, int length, int i, int[] lo, int[] hi, double[] t) {
        double c = Math.max(0, Math.min(length - 1, s));
        int f = (int) c; // c >= 0, so the cast floors
        lo[i] = f;
        hi[i] = Math.min(length - 1, f + 1);
        t[i] = c - f;
    }

    private static int channel(int a, int b, int c, int d, double wa, double wb, double wc, double wd) {
        double v = (a & 0xFF) * wa + (b & 0xFF) * wb + (c & 0xFF) * wc + (d & 0xFF) * wd;
        return Math.min(255, (int) (v + 0.5));
    }

    /** A frame's pixels as packed RGB ints: pixel (x, y) at {@code offset + y * stride + x}. */
    private record Pixels(int[] argb, int offset, int stride, int width, int height) {
        static Pixels of(BufferedImage img, int frameIndex) {
            if (img == null) {
                throw new IllegalArgumentException("no frame given for frame index " + frameIndex);
            }
            int w = img.getWidth(), h = img.getHeight();
            if ((img.getType() == BufferedImage.TYPE_INT_RGB || img.getType() == BufferedImage.TYPE_INT_ARGB)
                    && img.getRaster().getDataBuffer() instanceof DataBufferInt buf
                    && img.getSampleModel() instanceof SinglePixelPackedSampleModel sm
                    && buf.getNumBanks() == 1) {
                int offset = buf.getOffset()
                        - img.getRaster().getSampleModelTranslateY() * sm.getScanlineStride()
                        - img.getRaster().getSampleModelTranslateX();
                return new Pixels(buf.getData(), offset, sm.getScanlineStride(), w, h);
            }
            if (img.getType() == BufferedImage.TYPE_3BYTE_BGR
                    && img.getRaster().getDataBuffer() instanceof DataBufferByte buf
                    && img.getSampleModel() instanceof ComponentSampleModel sm
                    && buf.getNumBanks() == 1) {
                return new Pixels(bgrToRgb(img, buf, sm), 0, w, w, h);
            }
            return new Pixels(img.getRGB(0, 0, w, h, null, 0, w), 0, w, w, h);
        }

        /**
         * A decoded JPEG's bytes as packed RGB ints, read straight from its raster: {@link
         * BufferedImage#getRGB} goes through the colour model pixel by pixel, 6% of a batch's time.
         */
        private static int[] bgrToRgb(BufferedImage img, DataBufferByte buf, ComponentSampleModel sm) {
            int w = img.getWidth(), h = img.getHeight();
            int ps = sm.getPixelStride(), ss = sm.getScanlineStride();
            int[] band = sm.getBandOffsets(); // red, green, blue
            int base = buf.getOffset()
                    - img.getRaster().getSampleModelTranslateY() * ss
                    - img.getRaster().getSampleModelTranslateX() * ps;
            byte[] d = buf.getData();
            int[] out = new int[w * h];
            for (int y = 0; y < h; y++) {
                int i = base + y * ss, o = y * w;
                for (int x = 0; x < w; x++, i += ps) {
                    out[o + x] = (d[i + band[0]] & 0xFF) << 16 | (d[i + band[1]] & 0xFF) << 8 | (d[i + band[2]] & 0xFF);
                }
            }
            return out;
        }
    }
}
