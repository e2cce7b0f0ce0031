package io.skypack.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Maps fine-pass detections from mosaic to frame coordinates and merges them per frame (DESIGN.md
 * section 4, "Back-mapping and merge").
 *
 * <ol>
 *   <li>A mosaic detection belongs to the chip of its mosaic that holds more than {@code minIof} of
 *       its box area (intersection over the detection's own area). With {@code minIof >= 0.5} and
 *       chips that never overlap at most one chip qualifies; should several, the largest
 *       intersection wins, ties to the earlier chip. A detection on no chip, or with an empty box,
 *       is dropped and counted.
 *   <li>Its box maps by {@code x' = (x - chipX) / zoom + regionX} (same for y) and is clipped to
 *       the chip's source region.
 *   <li>Its mask (over the whole mosaic, as {@link Detection#mask()} says for the image the detector
 *       was given) becomes a mask over the whole frame: a frame pixel inside the mapped box is set
 *       when the mosaic pixel under its centre is set and lies on the chip (nearest neighbour).
 *   <li>Per frame, greedy per-class {@link Nms} at {@code nmsIou} removes duplicates, for example an
 *       object seen whole in two overlapping tiles.
 * </ol>
 */
public final class BackMapper {
    /** DESIGN.md: a detection belongs to a chip when its IoF with the chip is above 0.9. */
    public static final double DEFAULT_MIN_IOF = 0.9;
    /** DESIGN.md: per-class NMS at IoU 0.6 after mapping. */
    public static final double DEFAULT_NMS_IOU = 0.6;

    private final double minIof;
    private final double nmsIou;

    public BackMapper(double minIof, double nmsIou) {
        if (!(minIof >= 0 && minIof < 1)) {
            throw new IllegalArgumentException("minIof outside [0, 1): " + minIof);
        }
        if (!(nmsIou >= 0 && nmsIou <= 1)) {
            throw new IllegalArgumentException("nmsIou outside [0, 1]: " + nmsIou);
        }
        this.minIof = minIof;
        this.nmsIou = nmsIou;
    }

    public BackMapper() {
        this(DEFAULT_MIN_IOF, DEFAULT_NMS_IOU);
    }

    /**
     * @param packing the mosaics the fine pass saw
     * @param perMosaic detections per mosaic, in mosaic pixels, {@code perMosaic.get(i)} for mosaic i;
     *     masks, where present, are {@code size x size}
     * @param frames the size of every frame that has a chip
     */
    public BackMapping map(PackingResult packing, List<List<Detection>> perMosaic, Map<Integer, FrameSize> frames) {
        List<Mosaic> mosaics = packing.mosaics();
        if (perMosaic.size() != mosaics.size()) {
            throw new IllegalArgumentException(
                    "got detections for " + perMosaic.size() + " mosaics, packing has " + mosaics.size());
        }
        TreeMap<Integer, List<Detection>> mapped = new TreeMap<>();
        for (Mosaic m : mosaics) {
            for (Chip c : m.chips()) {
                if (!frames.containsKey(c.frameIndex())) {
                    throw new IllegalArgumentException("no frame size for frame " + c.frameIndex());
                }
                mapped.putIfAbsent(c.frameIndex(), new ArrayList<>());
            }
        }
        int unassigned = 0;
        for (int i = 0; i < mosaics.size(); i++) {
            Mosaic m = mosaics.get(i);
            for (Detection d : perMosaic.get(i)) {
                Chip chip = owner(m, d.box());
                if (chip == null) {
                    unassigned++;
                    continue;
                }
                mapped.get(chip.frameIndex()).add(toFrame(d, chip, m.size(), frames.get(chip.frameIndex())));
            }
        }
        TreeMap<Integer, List<Detection>> merged = new TreeMap<>();
        int suppressed = 0;
        for (Map.Entry<Integer, List<Detection>> e : mapped.entrySet()) {
            List<Detection> dets = e.getValue();
            List<Detection> kept = Nms.keep(dets, nmsIou);
            suppressed += dets.size() - kept.size();
            merged.put(e.getKey(), kept);
        }
        return new BackMapping(merged, unassigned, suppressed);
    }

    /** The chip a mosaic box belongs to, or null. */
    private Chip owner(Mosaic m, Box box) {
        double area = box.area();
        if (!(area > 0)) return null;
        Chip best = null;
        double bestInter = 0;
        for (Chip c : m.chips()) {
            double inter = box.intersection(c.rect());
            if (inter / area > minIof && inter > bestInter) {
                best = c;
                bestInter = inter;
            }
        }
        return best;
    }

    private static Detection toFrame(Detection d, Chip chip, int mosaicSize, FrameSize frame) {
        Box b = d.box(), r = chip.sourceRegion();
        Box inFrame = new Box(
                Math.max(r.x1(), chip.toFrameX(b.x1())),
                Math.max(r.y1(), chip.toFrameY(b.y1())),
                Math.min(r.x2(), chip.toFrameX(b.x2())),
                Math.min(r.y2(), chip.toFrameY(b.y2())));
        MaskRle mask = d.mask() == null ? null : mapMask(d.mask(), d.box(), chip, inFrame, mosaicSize, frame);
        return new Detection(inFrame, d.category(), d.score(), mask, d.proxy());
    }

    private static MaskRle mapMask(MaskRle mask, Box inMosaic, Chip chip, Box inFrame, int size, FrameSize frame) {
        if (mask.width() != size || mask.height() != size) {
            throw new IllegalArgumentException(
                    "mosaic mask is " + mask.width() + "x" + mask.height() + ", mosaic is " + size + "x" + size);
        }
        // Only mosaic pixels on the chip and under the box can matter: decode just that window.
        int mx0 = Math.max(chip.x(), (int) Math.floor(inMosaic.x1()));
        int my0 = Math.max(chip.y(), (int) Math.floor(inMosaic.y1()));
        int mx1 = Math.min(chip.x() + chip.w(), (int) Math.ceil(inMosaic.x2()));
        int my1 = Math.min(chip.y() + chip.h(), (int) Math.ceil(inMosaic.y2()));
        int ww = Math.max(0, mx1 - mx0), wh = Math.max(0, my1 - my0);
        boolean[] window = new boolean[ww * wh];
        mask.forEachSegment((x, y0, y1) -> {
            if (x < mx0 || x >= mx1) return;
            for (int y = Math.max(y0, my0); y < Math.min(y1, my1); y++) {
                window[(y - my0) * ww + (x - mx0)] = true;
            }
        });
        int fx0 = (int) Math.floor(inFrame.x1()), fy0 = (int) Math.floor(inFrame.y1());
        int fx1 = (int) Math.ceil(inFrame.x2()), fy1 = (int) Math.ceil(inFrame.y2());
        return MaskRle.encodeWindow(frame.height(), frame.width(), fx0, fy0, fx1, fy1, (x, y) -> {
            int u = (int) Math.floor(chip.toMosaicX(x + 0.5)), v = (int) Math.floor(chip.toMosaicY(y + 0.5));
            return u >= mx0 && u < mx1 && v >= my0 && v < my1 && window[(v - my0) * ww + (u - mx0)];
        });
    }
}
