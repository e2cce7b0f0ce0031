package io.skypack.detect;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 *   <li>Per frame, pieces of one object cut by a tile seam are joined (below).
 *   <li>Per frame, greedy per-class {@link Nms} at {@code nmsIou} removes duplicates, for example an
 *       object seen whole in two overlapping tiles.
 * </ol>
 *
 * <p>Joining across seams. An object larger than the tiles' overlap that lies on a seam is whole in
 * neither tile: each tile reports the piece it sees, the pieces overlap little, and NMS would keep
 * both; an object whole in one tile but cut in its neighbour leaves a fragment beside the whole box.
 * A mapped detection is <em>cut</em> when one of its sides lies within {@link #SEAM_TOLERANCE}
 * mosaic pixels of a side of its tile that is inside its region (another tile continues there). Two
 * detections of one frame, one class and one region, from different tiles, at least one of them cut,
 * are pieces of one object when they agree where both tiles saw the frame: their boxes clipped to the
 * intersection of the two tiles have IoU at least {@link #SEAM_MATCH_IOU}. Pieces join transitively
 * (an object on a corner of four tiles) into one detection: the union of the boxes, the union of the
 * masks, the best score and that piece's proxy. Chips of regions that were not split are never cut.
 */
public final class BackMapper {
    /** DESIGN.md: a detection belongs to a chip when its IoF with the chip is above 0.9. */
    public static final double DEFAULT_MIN_IOF = 0.9;
    /** DESIGN.md: per-class NMS at IoU 0.6 after mapping. */
    public static final double DEFAULT_NMS_IOU = 0.6;
    /**
     * A box side this close to an inner tile side, in mosaic pixels, counts as cut there: the decoder
     * clamps a cut object's box to the input edge, and the regression may stop a few pixels short.
     */
    public static final double SEAM_TOLERANCE = 4;
    /** Least IoU of two pieces' boxes inside the tiles' shared area for them to be one object. */
    public static final double SEAM_MATCH_IOU = 0.5;

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
        TreeMap<Integer, List<Mapped>> mapped = new TreeMap<>();
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
                Detection inFrame = toFrame(d, chip, m.size(), frames.get(chip.frameIndex()));
                mapped.get(chip.frameIndex()).add(new Mapped(inFrame, chip));
            }
        }
        Map<Integer, Box> splitExtents = splitExtents(packing);
        TreeMap<Integer, List<Detection>> merged = new TreeMap<>();
        int joined = 0, suppressed = 0;
        for (Map.Entry<Integer, List<Mapped>> e : mapped.entrySet()) {
            List<Mapped> dets = e.getValue();
            List<Detection> whole = joinAcrossSeams(dets, splitExtents);
            List<Detection> kept = Nms.keep(whole, nmsIou);
            joined += dets.size() - whole.size();
            suppressed += whole.size() - kept.size();
            merged.put(e.getKey(), kept);
        }
        return new BackMapping(merged, unassigned, joined, suppressed);
    }

    /** A detection in frame pixels and the chip it came from. */
    private record Mapped(Detection det, Chip chip) {}

    /** The extent (union of tiles) of every region that was split, by region index. */
    private static Map<Integer, Box> splitExtents(PackingResult packing) {
        Map<Integer, Box> extent = new HashMap<>();
        Map<Integer, Integer> tiles = new HashMap<>();
        for (Chip c : packing.chips()) {
            extent.merge(c.regionIndex(), c.sourceRegion(), Box::union);
            tiles.merge(c.regionIndex(), 1, Integer::sum);
        }
        extent.keySet().removeIf(r -> tiles.get(r) < 2);
        return extent;
    }

    /** Joins the pieces of objects cut by tile seams (see the class comment); keeps input order otherwise. */
    private static List<Detection> joinAcrossSeams(List<Mapped> dets, Map<Integer, Box> splitExtents) {
        int n = dets.size();
        int[] group = new int[n];
        for (int i = 0; i < n; i++) group[i] = i;
        boolean any = false;
        for (int i = 0; i < n; i++) {
            Mapped a = dets.get(i);
            Box extent = splitExtents.get(a.chip().regionIndex());
            if (extent == null) continue;
            for (int j = i + 1; j < n; j++) {
                Mapped b = dets.get(j);
                if (b.chip().regionIndex() != a.chip().regionIndex()
                        || b.det().category() != a.det().category()
                        || b.chip().equals(a.chip())
                        || !(isCut(a, extent) || isCut(b, extent))) {
                    continue;
                }
                Box shared = overlap(a.chip().sourceRegion(), b.chip().sourceRegion());
                Box pa = shared == null ? null : overlap(a.det().box(), shared);
                Box pb = shared == null ? null : overlap(b.det().box(), shared);
                if (pa != null && pb != null && pa.iou(pb) >= SEAM_MATCH_IOU) {
                    group[root(group, j)] = root(group, i);
                    any = true;
                }
            }
        }
        List<Detection> out = new ArrayList<>();
        if (!any) {
            for (Mapped m : dets) out.add(m.det());
            return out;
        }
        Map<Integer, List<Detection>> groups = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            groups.computeIfAbsent(root(group, i), g -> new ArrayList<>())
                    .add(dets.get(i).det());
        }
        for (List<Detection> pieces : groups.values()) out.add(join(pieces));
        return out;
    }

    private static int root(int[] group, int i) {
        while (group[i] != i) i = group[i] = group[group[i]];
        return i;
    }

    /** True when a side of the box lies on a side of its tile that is inside the region. */
    private static boolean isCut(Mapped m, Box extent) {
        Box b = m.det().box(), t = m.chip().sourceRegion();
        double tol = SEAM_TOLERANCE / m.chip().zoom();
        return (t.x1() > extent.x1() && b.x1() <= t.x1() + tol)
                || (t.y1() > extent.y1() && b.y1() <= t.y1() + tol)
                || (t.x2() < extent.x2() && b.x2() >= t.x2() - tol)
                || (t.y2() < extent.y2() && b.y2() >= t.y2() - tol);
    }

    /** The intersection of two boxes, or null when it has no area. */
    private static Box overlap(Box a, Box b) {
        double x1 = Math.max(a.x1(), b.x1()), y1 = Math.max(a.y1(), b.y1());
        double x2 = Math.min(a.x2(), b.x2()), y2 = Math.min(a.y2(), b.y2());
        return x2 > x1 && y2 > y1 ? new Box(x1, y1, x2, y2) : null;
    }

    /** One detection from the pieces of an object: union box and mask, the best piece's score and proxy. */
    private static Detection join(List<Detection> pieces) {
        if (pieces.size() == 1) return pieces.get(0);
        Detection best = pieces.get(0);
        Box box = best.box();
        MaskRle mask = null;
        for (Detection d : pieces) {
            if (d.score() > best.score()) best = d;
            box = box.union(d.box());
            if (d.mask() != null) mask = mask == null ? d.mask() : mask.union(d.mask());
        }
        return new Detection(box, best.category(), best.score(), mask, best.proxy());
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
