package io.skypack.detect;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Packs the zoomed foreground regions of all frames of a batch into as few square canvases as it
 * can (DESIGN.md section 4, "UFP: packing (ours)").
 *
 * <p>Each region is first snapped outwards to whole frame pixels (a region inside an integer-sized
 * frame stays inside it). At zoom z its chip is {@code w * z x h * z} mosaic pixels. A chip larger
 * than the canvas is retried at {@code z / 2} (integer division) down to zoom 1. A region still
 * larger than the canvas at zoom 1 is split, at its requested zoom z, into a grid of tiles of at most
 * {@code floor(S / z)} frame pixels a side (one canvas once zoomed), neighbours overlapping by at
 * least {@code ceil(tileOverlap / z)} frame pixels, so by at least {@link PackingConfig#tileOverlap()}
 * mosaic pixels. Tiling at the requested zoom keeps the objects of a large region of small objects as
 * large as the fine model needs them; shrinking the region to zoom 1 first, as this class once did,
 * made them as small as in the frame. Where {@code floor(S / z)} frame pixels would not exceed that
 * overlap, the tiles' zoom is halved until it does (zoom 1 always qualifies, since the overlap is
 * less than S).
 *
 * <p>Chips are packed by skyline bottom-left (Jylänki, "A thousand ways to pack the bin", 2010,
 * section 3.4): sorted by height then width, descending (ties by region index, then tile order),
 * each goes to the first open canvas where it fits, at the lowest and then leftmost position whose
 * left edge starts a skyline segment; a new canvas is opened when none fits. The whole
 * packing is also run with chips sorted by area then height, and the one with fewer canvases is
 * kept. The gap is enforced by packing {@code (w + gap) x (h + gap)} rectangles into a
 * {@code (S + gap)^2} canvas, so the padding may hang over the right and bottom border but the
 * chip itself never does.
 *
 * <p>Guarantees, checked by property tests: every region gives exactly one chip, or tiles whose
 * union is its snapped region; chips lie inside their canvas; two chips of a canvas are at least
 * {@code gap} pixels apart along x or along y; a chip's zoom never exceeds the requested one; a whole
 * region's zoom is only reduced when the next larger one would not fit, and tiles keep the requested
 * zoom unless their overlap does not fit in them; the result is a function of the input list.
 */
public final class MosaicPacker {
    private final PackingConfig config;

    public MosaicPacker(PackingConfig config) {
        this.config = config;
    }

    public MosaicPacker() {
        this(PackingConfig.DEFAULT);
    }

    public PackingConfig config() {
        return config;
    }

    /** A chip before placement; {@code order} keeps tiles of one region in grid order. */
    private record Item(int regionIndex, int order, int frameIndex, Box source, int zoom, int w, int h) {
        long area() {
            return (long) w * h;
        }
    }

    /** Placement orders tried: height then width, and area then height, both descending. */
    private static final List<Comparator<Item>> ORDERS = List.of(
            Comparator.comparingInt(Item::h)
                    .thenComparingInt(Item::w)
                    .reversed()
                    .thenComparingInt(Item::regionIndex)
                    .thenComparingInt(Item::order),
            Comparator.comparingLong(Item::area)
                    .thenComparingInt(Item::h)
                    .reversed()
                    .thenComparingInt(Item::regionIndex)
                    .thenComparingInt(Item::order));

    /**
     * @param regions regions of any frames, in frame pixels; each must cover at least part of a pixel
     *     in both directions (positive width and height)
     */
    public PackingResult pack(List<ForegroundRegion> regions) {
        int s = config.canvasSize();
        List<Item> items = new ArrayList<>();
        int reduced = 0, split = 0;
        for (int r = 0; r < regions.size(); r++) {
            ForegroundRegion region = regions.get(r);
            Box b = region.region();
            if (!(b.width() > 0 && b.height() > 0) || Double.isInfinite(b.area())) {
                throw new IllegalArgumentException("region " + r + " must have positive finite size: " + b);
            }
            Box snapped = new Box(Math.floor(b.x1()), Math.floor(b.y1()), Math.ceil(b.x2()), Math.ceil(b.y2()));
            long w = (long) snapped.width(), h = (long) snapped.height();
            int zoom = region.zoom();
            while (zoom > 1 && (w * zoom > s || h * zoom > s)) {
                zoom /= 2;
            }
            if (w * zoom <= s && h * zoom <= s) {
                if (zoom < region.zoom()) reduced++;
                items.add(new Item(r, 0, region.frameIndex(), snapped, zoom, (int) (w * zoom), (int) (h * zoom)));
                continue;
            }
            split++;
            zoom = region.zoom();
            while (zoom > 1 && s / zoom <= overlapAt(zoom)) {
                zoom /= 2;
            }
            if (zoom < region.zoom()) reduced++;
            long side = s / zoom, overlap = overlapAt(zoom);
            long[] xs = tileStarts(w, side, overlap), ys = tileStarts(h, side, overlap);
            int tw = (int) Math.min(w, side), th = (int) Math.min(h, side), order = 0;
            for (long ty : ys) {
                for (long tx : xs) {
                    Box tile = Box.ofXywh(snapped.x1() + tx, snapped.y1() + ty, tw, th);
                    items.add(new Item(r, order++, region.frameIndex(), tile, zoom, tw * zoom, th * zoom));
                }
            }
        }
        // Two orders, keep the one with fewer canvases (the first on a tie): on the property-test
        // batches this saves about 1% of canvases over height order alone.
        List<List<Chip>> best = null;
        for (Comparator<Item> key : ORDERS) {
            List<Item> sorted = new ArrayList<>(items);
            sorted.sort(key);
            List<List<Chip>> chips = placeAll(sorted);
            if (best == null || chips.size() < best.size()) best = chips;
        }
        List<List<Chip>> chips = best;
        long chipArea = 0;
        for (Item it : items) chipArea += it.area();
        List<Mosaic> mosaics = new ArrayList<>();
        for (int c = 0; c < chips.size(); c++) {
            mosaics.add(new Mosaic(c, s, chips.get(c)));
        }
        double fraction = mosaics.isEmpty() ? 0 : (double) chipArea / ((double) s * s * mosaics.size());
        return new PackingResult(mosaics, fraction, reduced, split);
    }

    /**
     * {@link #pack(List)} within a canvas budget: while the packing needs more than {@code maxCanvases}
     * canvases, the zoom of the regions whose chips are largest is halved (never below 1), as few
     * regions at a time as should free the excess canvas area, and everything is packed again. Small
     * isolated objects so keep their zoom longest; large regions of small objects give up zoom first,
     * since they cost the most canvas. When every region is at zoom 1 and the budget is still exceeded,
     * the packing is returned as it is: no region is ever dropped. Regions whose zoom the budget lowered
     * count in {@link PackingResult#reducedZoomRegions()}.
     *
     * @param maxCanvases at least 1
     */
    public PackingResult pack(List<ForegroundRegion> regions, int maxCanvases) {
        if (maxCanvases < 1) throw new IllegalArgumentException("maxCanvases must be at least 1: " + maxCanvases);
        List<ForegroundRegion> current = new ArrayList<>(regions);
        PackingResult result = pack(current);
        long canvasArea = (long) config.canvasSize() * config.canvasSize();
        while (result.mosaics().size() > maxCanvases) {
            // What each region costs as drawn now (the packer may already draw it below its request).
            double[] drawnArea = new double[current.size()];
            int[] drawnZoom = new int[current.size()];
            for (Chip c : result.chips()) {
                drawnArea[c.regionIndex()] += (double) c.w() * c.h();
                drawnZoom[c.regionIndex()] = Math.max(drawnZoom[c.regionIndex()], (int) c.zoom());
            }
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < current.size(); i++) {
                if (drawnZoom[i] > 1) order.add(i);
            }
            if (order.isEmpty()) break;
            order.sort(Comparator.comparingDouble((Integer i) -> -drawnArea[i]).thenComparingInt(i -> i));
            double excess = (double) (result.mosaics().size() - maxCanvases) * canvasArea * result.foregroundFraction();
            double freed = 0;
            for (int i : order) {
                ForegroundRegion r = current.get(i);
                current.set(i, new ForegroundRegion(r.frameIndex(), r.region(), drawnZoom[i] / 2, r.members()));
                freed += drawnArea[i] * 0.75; // halving the zoom quarters the chip
                if (freed >= excess) break;
            }
            result = pack(current);
        }
        return current.equals(regions) ? result : recounted(regions, result);
    }

    /**
     * {@link #pack(List, int)} with a budget per frame rather than per batch: each frame's regions are
     * first given the zoom they are drawn at when that frame alone is packed within {@code perFrame}
     * canvases, and then the regions of all frames are packed together at those zooms. A frame's zoom
     * so never depends on the other frames of its batch (the fine model sees its objects at the same
     * scale whether it came alone or in a batch of 16), and what the frames of a batch gain by sharing
     * canvases is fewer canvases, not more zoom. Should the shared packing need more canvases than the
     * frames took alone (the packer is a heuristic), {@link #pack(List, int)} brings it within that, so a
     * batch never costs more canvases than its frames one by one.
     *
     * @param perFrame at least 1
     */
    public PackingResult packWithinFrameBudgets(List<ForegroundRegion> regions, int perFrame) {
        if (perFrame < 1) throw new IllegalArgumentException("perFrame must be at least 1: " + perFrame);
        Map<Integer, List<Integer>> byFrame = new LinkedHashMap<>();
        for (int i = 0; i < regions.size(); i++) {
            byFrame.computeIfAbsent(regions.get(i).frameIndex(), f -> new ArrayList<>())
                    .add(i);
        }
        if (byFrame.size() <= 1) return pack(regions, perFrame);
        List<ForegroundRegion> lowered = new ArrayList<>(regions);
        long canvasesAlone = 0;
        for (List<Integer> indices : byFrame.values()) {
            List<ForegroundRegion> own = new ArrayList<>(indices.size());
            for (int i : indices) own.add(regions.get(i));
            PackingResult alone = pack(own, perFrame);
            canvasesAlone += alone.mosaics().size();
            int[] drawnZoom = new int[own.size()];
            for (Chip c : alone.chips()) {
                drawnZoom[c.regionIndex()] = Math.max(drawnZoom[c.regionIndex()], (int) c.zoom());
            }
            for (int k = 0; k < own.size(); k++) {
                ForegroundRegion r = own.get(k);
                if (drawnZoom[k] < r.zoom()) {
                    lowered.set(
                            indices.get(k),
                            new ForegroundRegion(r.frameIndex(), r.region(), drawnZoom[k], r.members()));
                }
            }
        }
        PackingResult result = pack(lowered, (int) Math.min(Integer.MAX_VALUE, canvasesAlone));
        return lowered.equals(regions) ? result : recounted(regions, result);
    }

    /** {@code result} with its lowered regions recounted against the zoom {@code requested} asked for. */
    private static PackingResult recounted(List<ForegroundRegion> requested, PackingResult result) {
        // A chip drawn below the requested zoom was lowered, by a budget or to fit.
        Set<Integer> reduced = new HashSet<>();
        for (Chip c : result.chips()) {
            if (c.zoom() < requested.get(c.regionIndex()).zoom()) reduced.add(c.regionIndex());
        }
        return new PackingResult(result.mosaics(), result.foregroundFraction(), reduced.size(), result.splitRegions());
    }

    private List<List<Chip>> placeAll(List<Item> items) {
        int s = config.canvasSize();
        List<Skyline> canvases = new ArrayList<>();
        List<List<Chip>> chips = new ArrayList<>();
        for (Item it : items) {
            int pw = it.w + config.gap(), ph = it.h + config.gap();
            int c = 0;
            int[] at = null;
            while (at == null && c < canvases.size()) {
                at = canvases.get(c).place(pw, ph);
                if (at == null) c++;
            }
            if (at == null) {
                canvases.add(new Skyline(s + config.gap()));
                chips.add(new ArrayList<>());
                at = canvases.get(c).place(pw, ph); // fits: the item is at most one canvas in size
            }
            chips.get(c).add(new Chip(it.regionIndex, it.frameIndex, it.source, it.zoom, at[0], at[1], it.w, it.h));
        }
        return chips;
    }

    /** Least overlap of neighbouring tiles at this zoom, in frame pixels: the configured mosaic pixels, rounded up. */
    private long overlapAt(int zoom) {
        return (config.tileOverlap() + zoom - 1) / zoom;
    }

    /**
     * Offsets of tiles of at most {@code side} frame pixels along a side of {@code length} frame
     * pixels: the fewest tiles n with {@code (n - 1) * (side - overlap) + side >= length}, spread
     * evenly so that neighbours overlap by at least {@code overlap} and the last tile ends at the far
     * edge. Needs {@code overlap < side}.
     */
    private static long[] tileStarts(long length, long side, long overlap) {
        if (length <= side) return new long[] {0};
        long step = side - overlap;
        long n = 1 + (length - side + step - 1) / step;
        long[] starts = new long[(int) n];
        for (int k = 0; k < n; k++) {
            // floor(k * (length - side) / (n - 1)): consecutive starts differ by at most
            // ceil((length - side) / (n - 1)) <= step, so tiles overlap by at least side - step.
            starts[k] = k * (length - side) / (n - 1);
        }
        return starts;
    }

    /**
     * The skyline of one canvas: the top edge of the packed area as segments {@code [x, x + w)} at
     * height {@code y} (y grows downwards, so "lowest" here is the smallest y), covering {@code [0, size)}.
     */
    private static final class Skyline {
        private final int size;
        private final List<int[]> segments = new ArrayList<>(); // {x, w, y}, sorted by x
        private long free; // area not yet covered by placed rectangles (holes under the skyline included)

        Skyline(int size) {
            this.size = size;
            segments.add(new int[] {0, size, 0});
            free = (long) size * size;
        }

        /** Places a w x h rectangle at the lowest, then leftmost, candidate; returns {x, y} or null. */
        int[] place(int w, int h) {
            if ((long) w * h > free) return null; // cheap rejection of full canvases
            int bestX = -1, bestY = Integer.MAX_VALUE;
            for (int[] seg : segments) {
                // Candidates: left edge on the segment's left end, right edge on its right end.
                for (int x : new int[] {seg[0], seg[0] + seg[1] - w}) {
                    if (x < 0 || x + w > size) continue;
                    int y = restingHeight(x, w);
                    if (y + h > size) continue;
                    if (y < bestY || (y == bestY && x < bestX)) {
                        bestX = x;
                        bestY = y;
                    }
                }
            }
            if (bestX < 0) return null;
            add(bestX, w, bestY + h);
            free -= (long) w * h;
            return new int[] {bestX, bestY};
        }

        /** The highest skyline level under [x, x + w). */
        private int restingHeight(int x, int w) {
            int y = 0;
            for (int[] seg : segments) {
                if (seg[0] >= x + w) break; // segments are sorted by x
                if (seg[0] + seg[1] > x) y = Math.max(y, seg[2]);
            }
            return y;
        }

        /** Raises [x, x + w) to level y (above everything it covers). */
        private void add(int x, int w, int y) {
            List<int[]> next = new ArrayList<>(segments.size() + 2);
            boolean inserted = false;
            for (int[] seg : segments) {
                int end = seg[0] + seg[1];
                if (end <= x || seg[0] >= x + w) {
                    if (!inserted && seg[0] >= x + w) {
                        append(next, x, w, y);
                        inserted = true;
                    }
                    append(next, seg[0], seg[1], seg[2]);
                    continue;
                }
                if (seg[0] < x) append(next, seg[0], x - seg[0], seg[2]);
                if (end > x + w) {
                    if (!inserted) {
                        append(next, x, w, y);
                        inserted = true;
                    }
                    append(next, x + w, end - (x + w), seg[2]);
                }
            }
            if (!inserted) append(next, x, w, y);
            segments.clear();
            segments.addAll(next);
        }

        /** Appends a segment, merging it into the previous one when they are at the same level. */
        private static void append(List<int[]> list, int x, int w, int y) {
            int[] last = list.isEmpty() ? null : list.get(list.size() - 1);
            if (last != null && last[2] == y && last[0] + last[1] == x) {
                last[1] += w;
            } else {
                list.add(new int[] {x, w, y});
            }
        }
    }
}
