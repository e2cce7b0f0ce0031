package io.skypack.detect;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Groups the candidate boxes of one frame into foreground regions and picks a zoom for each
 * (DESIGN.md section 4, "UFP: clustering", after the published UFPMP-Det {@code merge_bbox}).
 *
 * <ol>
 *   <li>Every candidate box is enlarged {@link ClusteringConfig#enlargement()} times about its
 *       centre and clipped to the frame. Boxes that are empty after clipping are dropped.
 *   <li>Regions start as the enlarged boxes, visited once each by descending score (ties in input
 *       order). The visited region A absorbs every other live region B whose enclosing rectangle U
 *       with A satisfies {@code area(U) < area(A) + area(B)}, and grows to U. A keeps re-scanning
 *       the live regions until a whole scan absorbs nothing.
 *   <li>The zoom of a region follows from the mean original (un-enlarged) area of all candidate
 *       boxes it absorbed, directly or through absorbed regions ({@link ClusteringConfig#zoomFor}).
 * </ol>
 *
 * <p>Two choices where the description is loose. "Every other unused box" includes regions that
 * were visited earlier and are still live, as in the published code, where a region's flag stays
 * set after its own turn. And A re-scans until nothing more merges, where the published code scans
 * once. Together they make the result closed: no two regions of the output satisfy the merge test,
 * because the later-visited of any pair last scanned the other in its final shape.
 *
 * <p>Cost: each visit scans all live regions once per absorption plus once, so at most {@code 2 n^2}
 * merge tests for {@code n} candidates.
 */
public final class ForegroundClusterer {
    private final ClusteringConfig config;

    public ForegroundClusterer(ClusteringConfig config) {
        this.config = config;
    }

    public ForegroundClusterer() {
        this(ClusteringConfig.DEFAULT);
    }

    public ClusteringConfig config() {
        return config;
    }

    /**
     * @param frameIndex copied into every region
     * @param frame the frame the candidates lie in
     * @param candidates coarse detections in frame pixels; only box and score are used
     * @return the regions, in the order their seeds were visited (descending seed score)
     */
    public List<ForegroundRegion> cluster(int frameIndex, FrameSize frame, List<Detection> candidates) {
        List<Detection> order = new ArrayList<>(candidates);
        order.sort(Comparator.comparingDouble(Detection::score).reversed()); // stable: ties keep input order
        int n = order.size();
        Box[] box = new Box[n];
        double[] areaSum = new double[n];
        int[] count = new int[n];
        boolean[] live = new boolean[n];
        for (int i = 0; i < n; i++) {
            Box original = order.get(i).box();
            box[i] = enlarge(original).clip(frame.width(), frame.height());
            areaSum[i] = original.area();
            count[i] = 1;
            live[i] = box[i].area() > 0;
        }
        for (int a = 0; a < n; a++) {
            if (!live[a]) continue;
            boolean absorbed;
            do {
                absorbed = false;
                for (int b = 0; b < n; b++) {
                    if (b == a || !live[b]) continue;
                    if (shouldMerge(box[a], box[b])) {
                        box[a] = box[a].union(box[b]);
                        areaSum[a] += areaSum[b];
                        count[a] += count[b];
                        live[b] = false;
                        absorbed = true;
                    }
                }
            } while (absorbed);
        }
        List<ForegroundRegion> regions = new ArrayList<>();
        for (int a = 0; a < n; a++) {
            if (live[a]) {
                regions.add(new ForegroundRegion(frameIndex, box[a], config.zoomFor(areaSum[a] / count[a]), count[a]));
            }
        }
        return List.copyOf(regions);
    }

    /** The merge test of step 2: true when the enclosing rectangle is smaller than the two areas together. */
    public static boolean shouldMerge(Box a, Box b) {
        return a.union(b).area() < a.area() + b.area();
    }

    private Box enlarge(Box b) {
        double hw = b.width() * config.enlargement() / 2, hh = b.height() * config.enlargement() / 2;
        return new Box(b.centerX() - hw, b.centerY() - hh, b.centerX() + hw, b.centerY() + hh);
    }
}
