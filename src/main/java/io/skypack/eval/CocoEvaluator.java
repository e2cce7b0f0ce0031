package io.skypack.eval;

import io.skypack.detect.Box;
import io.skypack.detect.Detection;
import io.skypack.detect.MaskRle;
import io.skypack.train.data.Annotation;
import io.skypack.train.data.LabeledImage;
import io.skypack.train.data.VisDroneCategory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * COCO evaluation (pycocotools {@code cocoeval.py}) of detections against VisDrone ground truth,
 * with the VisDrone rules described in the {@linkplain io.skypack.eval package documentation}.
 *
 * <p>Stateless and thread-safe. Boxes and masks are in pixels of their image; masks cover the whole
 * image ({@code height x width} of the {@link LabeledImage}).
 */
public final class CocoEvaluator {

    private static final List<VisDroneCategory> CLASSES = VisDroneCategory.evaluatedClasses();
    private static final AreaRange[] AREAS = AreaRange.values();

    /**
     * Evaluates one set of detections.
     *
     * @param groundTruth every evaluated image, each once; images without detections count (their
     *     ground truth is missed)
     * @param detections per image id ({@link LabeledImage#id()}), in any order; an image may be
     *     absent. Ties in score keep this order (stable sort, as cocoeval's mergesort)
     * @throws IllegalArgumentException when an image id repeats, a detection refers to an unknown
     *     image, or (segm) a ground truth or detection has no mask or one of the wrong size
     */
    public EvalReport evaluate(
            List<LabeledImage> groundTruth, Map<String, List<Detection>> detections, EvalParams params) {
        Objects.requireNonNull(params, "params");
        // cocoeval sorts its image ids; ties in score across images are then broken in this order.
        Map<String, LabeledImage> images = new TreeMap<>();
        for (LabeledImage img : groundTruth) {
            if (images.put(img.id(), img) != null) {
                throw new IllegalArgumentException("image id '" + img.id() + "' appears twice in the ground truth");
            }
        }
        for (String id : detections.keySet()) {
            if (!images.containsKey(id)) {
                throw new IllegalArgumentException("detections refer to image '" + id + "', which has no ground truth");
            }
        }

        double[] iouThrs = EvalParams.iouThresholds();
        ImageResult[][][] results = new ImageResult[CLASSES.size()][AREAS.length][images.size()];
        int i = 0;
        for (LabeledImage img : images.values()) {
            PreparedImage prepared = prepare(img, detections.getOrDefault(img.id(), List.of()), params);
            for (int k = 0; k < CLASSES.size(); k++) {
                List<Gt> gts = prepared.gts.get(k);
                List<Dt> dts = prepared.dts.get(k);
                if (gts.isEmpty() && dts.isEmpty()) {
                    continue; // cocoeval.evaluateImg returns None
                }
                double[][] ious = computeIou(dts, gts, params.iouType());
                for (int a = 0; a < AREAS.length; a++) {
                    results[k][a][i] = evaluateImage(gts, dts, ious, AREAS[a], iouThrs);
                }
            }
            i++;
        }
        return accumulate(results, params, iouThrs);
    }

    /** One ground truth: area per the IoU type; ignore for score flag 0. */
    private record Gt(Box box, MaskRle mask, double area, boolean ignore) {}

    /** One detection: area per the IoU type. */
    private record Dt(Box box, MaskRle mask, double area, double score) {}

    /** Per class index: ground truth in input order, detections sorted by score and capped. */
    private record PreparedImage(List<List<Gt>> gts, List<List<Dt>> dts) {}

    /** cocoeval.evaluateImg's output for one image, class and area range. */
    private record ImageResult(double[] dtScores, boolean[][] dtMatched, boolean[][] dtIgnore, int nonIgnoredGt) {}

    private static PreparedImage prepare(LabeledImage img, List<Detection> detections, EvalParams params) {
        boolean segm = params.iouType() == IouType.SEGM;
        List<Box> regions = img.annotations().stream()
                .filter(Annotation::isIgnoredRegion)
                .map(Annotation::box)
                .toList();
        IgnoredRegionRaster raster = params.applyIgnoreRule() && !regions.isEmpty()
                ? new IgnoredRegionRaster(img.width(), img.height(), regions)
                : null;

        List<List<Gt>> gts = new ArrayList<>();
        List<List<Dt>> dts = new ArrayList<>();
        for (int k = 0; k < CLASSES.size(); k++) {
            gts.add(new ArrayList<>());
            dts.add(new ArrayList<>());
        }
        for (Annotation ann : img.annotations()) {
            // Category 0 (regions) and 11 (others) are never evaluated: see the package doc.
            if (!isScored(ann.category())) {
                continue;
            }
            if (raster != null && raster.isMostlyIgnored(ann.box())) {
                continue;
            }
            if (segm) {
                requireMask(ann.mask(), img, "ground truth " + ann.targetId());
            }
            double area = segm ? ann.mask().area() : ann.box().area();
            gts.get(ann.category() - 1).add(new Gt(ann.box(), ann.mask(), area, ann.scoreFlag() == 0));
        }
        for (Detection d : detections) {
            if (!isScored(d.category())) {
                continue;
            }
            if (raster != null && raster.isMostlyIgnored(d.box())) {
                continue;
            }
            if (segm) {
                requireMask(d.mask(), img, "a detection of category " + d.category() + " at " + d.box());
            }
            double area = segm ? d.mask().area() : d.box().area();
            dts.get(d.category() - 1).add(new Dt(d.box(), d.mask(), area, d.score()));
        }
        for (int k = 0; k < dts.size(); k++) {
            List<Dt> sorted = new ArrayList<>(dts.get(k));
            // Stable descending sort, as cocoeval's argsort(-score, kind='mergesort'); then the cap.
            sorted.sort(Comparator.comparingDouble(Dt::score).reversed());
            dts.set(k, sorted.subList(0, Math.min(sorted.size(), params.maxDetections())));
        }
        return new PreparedImage(gts, dts);
    }

    private static boolean isScored(int category) {
        return category >= 1 && category <= 10;
    }

    private static void requireMask(MaskRle mask, LabeledImage img, String what) {
        if (mask == null) {
            throw new IllegalArgumentException("segm evaluation: " + what + " in image '" + img.id() + "' has no mask");
        }
        if (mask.height() != img.height() || mask.width() != img.width()) {
            throw new IllegalArgumentException("segm evaluation: " + what + " in image '" + img.id() + "' has a "
                    + mask.height() + "x" + mask.width() + " mask, the image is " + img.height() + "x"
                    + img.width());
        }
    }

    // ious[d][g], as cocoeval.computeIoU (no crowd boxes in VisDrone, so plain IoU throughout).
    private static double[][] computeIou(List<Dt> dts, List<Gt> gts, IouType type) {
        double[][] ious = new double[dts.size()][gts.size()];
        for (int d = 0; d < dts.size(); d++) {
            for (int g = 0; g < gts.size(); g++) {
                ious[d][g] = type == IouType.SEGM
                        ? dts.get(d).mask().iou(gts.get(g).mask())
                        : dts.get(d).box().iou(gts.get(g).box());
            }
        }
        return ious;
    }

    // cocoeval.evaluateImg for one image, class and area range; dts are already sorted and capped.
    private static ImageResult evaluateImage(
            List<Gt> gts, List<Dt> dts, double[][] ious, AreaRange area, double[] iouThrs) {
        int numGt = gts.size();
        int numDt = dts.size();
        boolean[] ignoreOf = new boolean[numGt];
        for (int g = 0; g < numGt; g++) {
            ignoreOf[g] = gts.get(g).ignore() || !area.contains(gts.get(g).area());
        }
        // Ground truth sorted with ignored ones last, stable (argsort(_ignore, kind='mergesort')).
        Integer[] order = new Integer[numGt];
        Arrays.setAll(order, g -> g);
        Arrays.sort(order, Comparator.comparing(g -> ignoreOf[g]));
        boolean[] gtIg = new boolean[numGt];
        int nonIgnored = 0;
        for (int g = 0; g < numGt; g++) {
            gtIg[g] = ignoreOf[order[g]];
            nonIgnored += gtIg[g] ? 0 : 1;
        }

        int numT = iouThrs.length;
        boolean[][] gtMatched = new boolean[numT][numGt];
        boolean[][] dtMatched = new boolean[numT][numDt];
        boolean[][] dtIg = new boolean[numT][numDt];
        for (int t = 0; t < numT; t++) {
            for (int d = 0; d < numDt; d++) {
                // Best match so far (m = -1: none); an IoU of exactly the threshold matches.
                double best = Math.min(iouThrs[t], 1 - 1e-10);
                int m = -1;
                for (int g = 0; g < numGt; g++) {
                    if (gtMatched[t][g]) {
                        continue; // already matched and not a crowd
                    }
                    if (m > -1 && !gtIg[m] && gtIg[g]) {
                        break; // matched to a regular gt; the rest are ignored ones
                    }
                    double iou = ious[d][order[g]];
                    if (iou < best) {
                        continue;
                    }
                    best = iou;
                    m = g;
                }
                if (m == -1) {
                    continue;
                }
                dtIg[t][d] = gtIg[m];
                dtMatched[t][d] = true;
                gtMatched[t][m] = true;
            }
        }
        // Unmatched detections outside the area range are ignored, not false positives.
        for (int d = 0; d < numDt; d++) {
            if (!area.contains(dts.get(d).area())) {
                for (int t = 0; t < numT; t++) {
                    dtIg[t][d] |= !dtMatched[t][d];
                }
            }
        }
        double[] scores = dts.stream().mapToDouble(Dt::score).toArray();
        return new ImageResult(scores, dtMatched, dtIg, nonIgnored);
    }

    // cocoeval.accumulate: precision[t][r][k][a][m] and recall[t][k][a][m], -1 where no ground truth.
    private static EvalReport accumulate(ImageResult[][][] results, EvalParams params, double[] iouThrs) {
        double[] recThrs = EvalParams.recallThresholds();
        List<Integer> maxDets = params.maxDets();
        int numT = iouThrs.length, numR = recThrs.length, numK = CLASSES.size(), numA = AREAS.length;
        int numM = maxDets.size();
        double[][][][][] precision = new double[numT][numR][numK][numA][numM];
        double[][][][] recall = new double[numT][numK][numA][numM];
        for (double[][][][] p : precision) {
            for (double[][][] pr : p) {
                for (double[][] pk : pr) {
                    for (double[] pa : pk) {
                        Arrays.fill(pa, -1);
                    }
                }
            }
        }
        for (double[][][] r : recall) {
            for (double[][] rk : r) {
                for (double[] ra : rk) {
                    Arrays.fill(ra, -1);
                }
            }
        }

        for (int k = 0; k < numK; k++) {
            for (int a = 0; a < numA; a++) {
                List<ImageResult> evals =
                        Arrays.stream(results[k][a]).filter(Objects::nonNull).toList();
                if (evals.isEmpty()) {
                    continue;
                }
                int npig = evals.stream().mapToInt(ImageResult::nonIgnoredGt).sum();
                if (npig == 0) {
                    continue;
                }
                for (int m = 0; m < numM; m++) {
                    int maxDet = maxDets.get(m);
                    // Concatenate each image's first maxDet detections, in image order.
                    int total = evals.stream()
                            .mapToInt(e -> Math.min(maxDet, e.dtScores().length))
                            .sum();
                    double[] scores = new double[total];
                    int[] imageOf = new int[total];
                    int[] indexOf = new int[total];
                    int n = 0;
                    for (int e = 0; e < evals.size(); e++) {
                        int count = Math.min(maxDet, evals.get(e).dtScores().length);
                        for (int d = 0; d < count; d++) {
                            scores[n] = evals.get(e).dtScores()[d];
                            imageOf[n] = e;
                            indexOf[n] = d;
                            n++;
                        }
                    }
                    Integer[] inds = new Integer[total];
                    Arrays.setAll(inds, j -> j);
                    // argsort(-dtScores, kind='mergesort'): stable descending.
                    Arrays.sort(inds, (x, y) -> Double.compare(scores[y], scores[x]));

                    for (int t = 0; t < numT; t++) {
                        double[] rc = new double[total];
                        double[] pr = new double[total];
                        double tp = 0, fp = 0;
                        for (int j = 0; j < total; j++) {
                            ImageResult e = evals.get(imageOf[inds[j]]);
                            int d = indexOf[inds[j]];
                            if (!e.dtIgnore()[t][d]) {
                                if (e.dtMatched()[t][d]) {
                                    tp++;
                                } else {
                                    fp++;
                                }
                            }
                            rc[j] = tp / npig;
                            // pr = tp / (fp + tp + np.spacing(1))
                            pr[j] = tp / (fp + tp + Math.ulp(1.0));
                        }
                        recall[t][k][a][m] = total > 0 ? rc[total - 1] : 0;
                        // Precision envelope: make it non-increasing from the right.
                        for (int j = total - 1; j > 0; j--) {
                            if (pr[j] > pr[j - 1]) {
                                pr[j - 1] = pr[j];
                            }
                        }
                        // q[r] = pr[searchsorted(rc, recThrs[r], side='left')], 0 past the end.
                        int j = 0;
                        for (int r = 0; r < numR; r++) {
                            while (j < total && rc[j] < recThrs[r]) {
                                j++;
                            }
                            precision[t][r][k][a][m] = j < total ? pr[j] : 0;
                        }
                    }
                }
            }
        }
        return new EvalReport(params, iouThrs, recThrs, precision, recall);
    }
}
