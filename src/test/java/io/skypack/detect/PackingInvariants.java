package io.skypack.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/** The guarantees of {@link MosaicPacker}, checked on any input and result. */
final class PackingInvariants {
    private PackingInvariants() {}

    static void check(
            List<ForegroundRegion> regions, PackingConfig config, PackingResult r, SplittableRandom rng, String ctx) {
        check(regions, config, r, rng, ctx, false);
    }

    /**
     * @param budgeted the packing ran under a canvas budget, which may lower a zoom that would fit; all
     *     other guarantees hold as without one
     */
    static void check(
            List<ForegroundRegion> regions,
            PackingConfig config,
            PackingResult r,
            SplittableRandom rng,
            String ctx,
            boolean budgeted) {
        int s = config.canvasSize(), g = config.gap();
        List<List<Chip>> byRegion = new ArrayList<>();
        for (int i = 0; i < regions.size(); i++) byRegion.add(new ArrayList<>());
        long area = 0;
        for (int c = 0; c < r.mosaics().size(); c++) {
            Mosaic m = r.mosaics().get(c);
            assertEquals(c, m.canvasIndex(), ctx);
            assertEquals(s, m.size(), ctx);
            assertTrue(!m.chips().isEmpty(), "no empty canvas, " + ctx);
            List<Chip> chips = m.chips();
            for (int a = 0; a < chips.size(); a++) {
                Chip ca = chips.get(a);
                assertTrue(
                        ca.x() >= 0 && ca.y() >= 0 && ca.x() + ca.w() <= s && ca.y() + ca.h() <= s, "inside, " + ctx);
                for (int b = a + 1; b < chips.size(); b++) {
                    Chip cb = chips.get(b);
                    boolean apart = ca.x() + ca.w() + g <= cb.x()
                            || cb.x() + cb.w() + g <= ca.x()
                            || ca.y() + ca.h() + g <= cb.y()
                            || cb.y() + cb.h() + g <= ca.y();
                    if (!apart) fail("chips " + ca + " and " + cb + " closer than the gap, " + ctx);
                }
                byRegion.get(ca.regionIndex()).add(ca);
                area += (long) ca.w() * ca.h();
            }
        }
        int split = 0, reduced = 0, chipCount = 0;
        for (int i = 0; i < regions.size(); i++) {
            ForegroundRegion reg = regions.get(i);
            Box b = reg.region();
            Box snapped = new Box(Math.floor(b.x1()), Math.floor(b.y1()), Math.ceil(b.x2()), Math.ceil(b.y2()));
            List<Chip> chips = byRegion.get(i);
            chipCount += chips.size();
            assertTrue(!chips.isEmpty(), "region placed, " + ctx);
            for (Chip c : chips) {
                assertEquals(reg.frameIndex(), c.frameIndex(), ctx);
                assertTrue(c.zoom() <= reg.zoom(), "zoom never above the request, " + ctx);
                assertEquals(c.sourceRegion().width() * c.zoom(), c.w(), ctx);
                assertEquals(c.sourceRegion().height() * c.zoom(), c.h(), ctx);
            }
            if (chips.size() == 1 && chips.get(0).sourceRegion().equals(snapped)) {
                Chip c = chips.get(0);
                if (c.zoom() < reg.zoom()) {
                    reduced++;
                    assertTrue(
                            budgeted || snapped.width() * 2 * c.zoom() > s || snapped.height() * 2 * c.zoom() > s,
                            "zoom reduced only when the next larger does not fit, " + ctx);
                }
                continue;
            }
            split++;
            assertTrue(snapped.width() > s || snapped.height() > s, "split only when too large at zoom 1, " + ctx);
            // Tiles keep the requested zoom unless a tile of S / zoom frame pixels cannot hold the overlap.
            double z = chips.get(0).zoom();
            int overlap = (int) Math.ceil(config.tileOverlap() / z);
            assertTrue(s / (int) z > overlap, "tiles hold their overlap, " + ctx);
            if (z < reg.zoom()) {
                reduced++;
                int want = (config.tileOverlap() + reg.zoom() - 1) / reg.zoom();
                assertTrue(budgeted || s / reg.zoom() <= want, "tile zoom reduced only when needed, " + ctx);
            }
            for (Chip c : chips) {
                assertEquals(z, c.zoom(), "all tiles of a region at one zoom, " + ctx);
                assertTrue(c.w() <= s && c.h() <= s, ctx);
                assertEquals(c.sourceRegion().area(), c.sourceRegion().intersection(snapped), "tile inside, " + ctx);
            }
            assertEquals(snapped.area(), unionArea(chips), "tiles cover the region, " + ctx);
            // Any box of overlap x overlap frame pixels inside the region lies whole in one tile.
            double ow = Math.min(overlap, snapped.width());
            double oh = Math.min(overlap, snapped.height());
            for (int k = 0; k < 20; k++) {
                double x = snapped.x1() + Math.floor(rng.nextDouble() * (snapped.width() - ow + 1));
                double y = snapped.y1() + Math.floor(rng.nextDouble() * (snapped.height() - oh + 1));
                Box probe = Box.ofXywh(x, y, ow, oh);
                if (chips.stream().noneMatch(c -> c.sourceRegion().intersection(probe) == probe.area())) {
                    fail("object " + probe + " on a seam is in no tile whole, " + ctx);
                }
            }
        }
        assertEquals(split, r.splitRegions(), ctx);
        assertEquals(reduced, r.reducedZoomRegions(), ctx);
        assertEquals(chipCount, r.chips().size(), "no chip without a region, " + ctx);
        assertTrue(r.mosaics().size() <= chipCount, "canvases <= chips, " + ctx);
        if (split == 0) assertTrue(r.mosaics().size() <= regions.size(), "canvases <= regions, " + ctx);
        double expected = r.mosaics().isEmpty()
                ? 0
                : (double) area / ((double) s * s * r.mosaics().size());
        assertEquals(expected, r.foregroundFraction(), 1e-12, ctx);
    }

    /** Area of the union of the chips' source regions, by coordinate compression. */
    private static double unionArea(List<Chip> chips) {
        TreeSet<Double> xs = new TreeSet<>(), ys = new TreeSet<>();
        for (Chip c : chips) {
            xs.add(c.sourceRegion().x1());
            xs.add(c.sourceRegion().x2());
            ys.add(c.sourceRegion().y1());
            ys.add(c.sourceRegion().y2());
        }
        Double[] x = xs.toArray(new Double[0]), y = ys.toArray(new Double[0]);
        double area = 0;
        for (int i = 0; i + 1 < x.length; i++) {
            for (int j = 0; j + 1 < y.length; j++) {
                double cx = (x[i] + x[i + 1]) / 2, cy = (y[j] + y[j + 1]) / 2;
                for (Chip c : chips) {
                    Box b = c.sourceRegion();
                    if (cx > b.x1() && cx < b.x2() && cy > b.y1() && cy < b.y2()) {
                        area += (x[i + 1] - x[i]) * (y[j + 1] - y[j]);
                        break;
                    }
                }
            }
        }
        return area;
    }
}
