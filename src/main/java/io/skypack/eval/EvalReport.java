package io.skypack.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skypack.train.data.VisDroneCategory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * The result of one evaluation: summary metrics overall and per class, and cocoeval's accumulated
 * arrays, {@code precision[T][R][K][A][M]} (interpolated precision at each IoU threshold, recall
 * point, class, area range and detection cap) and {@code recall[T][K][A][M]}, with -1 where the
 * setting has no ground truth. Class index k is VisDrone id - 1; area index follows {@link
 * AreaRange}; cap index m follows {@link EvalParams#maxDets()}.
 *
 * <p>"Overall" is the mean over classes that have ground truth, -1 entries excluded, as cocoeval
 * {@code summarize}. Immutable.
 */
public final class EvalReport {
    private static final List<VisDroneCategory> CLASSES = VisDroneCategory.evaluatedClasses();

    private final EvalParams params;
    private final double[] iouThresholds;
    private final double[] recallThresholds;
    private final double[][][][][] precision;
    private final double[][][][] recall;
    private final Metrics overall;
    private final Map<VisDroneCategory, Metrics> perClass;

    EvalReport(
            EvalParams params,
            double[] iouThresholds,
            double[] recallThresholds,
            double[][][][][] precision,
            double[][][][] recall) {
        this.params = params;
        this.iouThresholds = iouThresholds.clone();
        this.recallThresholds = recallThresholds.clone();
        this.precision = precision;
        this.recall = recall;
        this.overall = summarize(k -> true);
        Map<VisDroneCategory, Metrics> classes = new LinkedHashMap<>();
        for (VisDroneCategory c : CLASSES) {
            int index = c.id() - 1;
            classes.put(c, summarize(k -> k == index));
        }
        this.perClass = Collections.unmodifiableMap(classes);
    }

    public EvalParams params() {
        return params;
    }

    /** Summary over all classes with ground truth. */
    public Metrics overall() {
        return overall;
    }

    /** Summary per evaluated class (ids 1..10, in id order); a class without ground truth has -1s. */
    public Map<VisDroneCategory, Metrics> perClass() {
        return perClass;
    }

    /** The IoU thresholds of the T axis. */
    public double[] iouThresholds() {
        return iouThresholds.clone();
    }

    /** The recall points (0, .01, ..., 1) of the R axis. */
    public double[] recallThresholds() {
        return recallThresholds.clone();
    }

    /**
     * Interpolated precision at each recall point (101 values, cocoeval's {@code precision[t, :, k, a,
     * m]}); all -1 when the class has no ground truth in that area range.
     */
    public double[] precision(int iouIndex, VisDroneCategory category, AreaRange area, int maxDetsIndex) {
        int k = classIndex(category);
        double[] q = new double[recallThresholds.length];
        for (int r = 0; r < q.length; r++) {
            q[r] = precision[iouIndex][r][k][area.ordinal()][maxDetsIndex];
        }
        return q;
    }

    /** Maximum recall reached (cocoeval's {@code recall[t, k, a, m]}); -1 without ground truth. */
    public double recall(int iouIndex, VisDroneCategory category, AreaRange area, int maxDetsIndex) {
        return recall[iouIndex][classIndex(category)][area.ordinal()][maxDetsIndex];
    }

    /**
     * Precision at each recall point averaged over the classes with ground truth, at one IoU
     * threshold, area all and the largest cap; all -1 when no class has ground truth.
     */
    public double[] meanPrecision(int iouIndex) {
        double[] q = new double[recallThresholds.length];
        int m = params.maxDets().size() - 1;
        for (int r = 0; r < q.length; r++) {
            double sum = 0;
            int n = 0;
            for (double v : column(iouIndex, r, m)) {
                if (v > -1) {
                    sum += v;
                    n++;
                }
            }
            q[r] = n == 0 ? -1 : sum / n;
        }
        return q;
    }

    private double[] column(int t, int r, int m) {
        double[] v = new double[CLASSES.size()];
        for (int k = 0; k < v.length; k++) {
            v[k] = precision[t][r][k][AreaRange.ALL.ordinal()][m];
        }
        return v;
    }

    /**
     * A fixed-width table: a header, the overall row, then one row per class, with AP, AP50, AP75,
     * APs, APm, APl and one AR column per cap. Undefined values (-1) print as "-".
     */
    public String toTable() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%-16s", "class"));
        for (String h : columnNames()) {
            s.append(String.format(Locale.ROOT, " %7s", h));
        }
        s.append('\n');
        appendRow(s, "overall", overall);
        for (Map.Entry<VisDroneCategory, Metrics> e : perClass.entrySet()) {
            appendRow(s, e.getKey().label(), e.getValue());
        }
        return s.toString();
    }

    private List<String> columnNames() {
        List<String> names = new ArrayList<>(List.of("AP", "AP50", "AP75", "APs", "APm", "APl"));
        for (int maxDet : params.maxDets()) {
            names.add("AR" + maxDet);
        }
        names.addAll(List.of("ARs", "ARm", "ARl"));
        return names;
    }

    private static void appendRow(StringBuilder s, String name, Metrics m) {
        s.append(String.format(Locale.ROOT, "%-16s", name));
        List<Double> values =
                new ArrayList<>(List.of(m.ap(), m.ap50(), m.ap75(), m.apSmall(), m.apMedium(), m.apLarge()));
        values.addAll(m.ar());
        values.addAll(List.of(m.arSmall(), m.arMedium(), m.arLarge()));
        for (double v : values) {
            s.append(v < 0 ? String.format(Locale.ROOT, " %7s", "-") : String.format(Locale.ROOT, " %7.4f", v));
        }
        s.append('\n');
    }

    /**
     * The report as JSON: parameters, overall and per-class metrics (-1 = undefined), the threshold
     * axes, and per class the precision curves at area all and the largest cap ({@code
     * precision[class][t][r]}).
     */
    public String toJson() {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("iouType", params.iouType().cocoName());
        ArrayNode caps = root.putArray("maxDets");
        params.maxDets().forEach(caps::add);
        root.put("ignoreRule", params.applyIgnoreRule());
        root.set("overall", metricsNode(mapper, overall));
        ObjectNode classes = root.putObject("classes");
        perClass.forEach((c, m) -> classes.set(c.label(), metricsNode(mapper, m)));
        ArrayNode ious = root.putArray("iouThresholds");
        for (double t : iouThresholds) {
            ious.add(t);
        }
        ArrayNode recs = root.putArray("recallThresholds");
        for (double r : recallThresholds) {
            recs.add(r);
        }
        ObjectNode curves = root.putObject("precision");
        int m = params.maxDets().size() - 1;
        for (VisDroneCategory c : CLASSES) {
            ArrayNode perIou = curves.putArray(c.label());
            for (int t = 0; t < iouThresholds.length; t++) {
                ArrayNode q = perIou.addArray();
                for (double v : precision(t, c, AreaRange.ALL, m)) {
                    q.add(v);
                }
            }
        }
        try {
            return mapper.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // an in-memory tree always serialises
        }
    }

    /** Writes {@link #toJson()} to a file (UTF-8), replacing it. */
    public void writeJson(Path file) throws IOException {
        Files.writeString(file, toJson());
    }

    private ObjectNode metricsNode(ObjectMapper mapper, Metrics m) {
        ObjectNode n = mapper.createObjectNode();
        n.put("AP", m.ap());
        n.put("AP50", m.ap50());
        n.put("AP75", m.ap75());
        n.put("APs", m.apSmall());
        n.put("APm", m.apMedium());
        n.put("APl", m.apLarge());
        for (int i = 0; i < params.maxDets().size(); i++) {
            n.put("AR" + params.maxDets().get(i), m.ar().get(i));
        }
        n.put("ARs", m.arSmall());
        n.put("ARm", m.arMedium());
        n.put("ARl", m.arLarge());
        return n;
    }

    // cocoeval.summarize._summarizeDets, over the classes the predicate accepts.
    private Metrics summarize(IntPredicate classes) {
        int last = params.maxDets().size() - 1;
        int t50 = 0; // iouThrs[0] == 0.5
        int t75 = 5; // iouThrs[5] == 0.75 exactly, as in numpy
        List<Double> ar = new ArrayList<>();
        for (int m = 0; m <= last; m++) {
            ar.add(averageRecall(classes, -1, AreaRange.ALL, m));
        }
        return new Metrics(
                averagePrecision(classes, -1, AreaRange.ALL, last),
                averagePrecision(classes, t50, AreaRange.ALL, last),
                averagePrecision(classes, t75, AreaRange.ALL, last),
                averagePrecision(classes, -1, AreaRange.SMALL, last),
                averagePrecision(classes, -1, AreaRange.MEDIUM, last),
                averagePrecision(classes, -1, AreaRange.LARGE, last),
                ar,
                averageRecall(classes, -1, AreaRange.SMALL, last),
                averageRecall(classes, -1, AreaRange.MEDIUM, last),
                averageRecall(classes, -1, AreaRange.LARGE, last));
    }

    // np.mean(s[s > -1]) over precision[t or all, :, classes, a, m]; -1 when nothing is left.
    private double averagePrecision(IntPredicate classes, int onlyT, AreaRange area, int m) {
        double sum = 0;
        long n = 0;
        for (int t = 0; t < iouThresholds.length; t++) {
            if (onlyT >= 0 && t != onlyT) {
                continue;
            }
            for (int r = 0; r < recallThresholds.length; r++) {
                for (int k = 0; k < CLASSES.size(); k++) {
                    double v = precision[t][r][k][area.ordinal()][m];
                    if (classes.test(k) && v > -1) {
                        sum += v;
                        n++;
                    }
                }
            }
        }
        return n == 0 ? -1 : sum / n;
    }

    private double averageRecall(IntPredicate classes, int onlyT, AreaRange area, int m) {
        double sum = 0;
        long n = 0;
        for (int t = 0; t < iouThresholds.length; t++) {
            if (onlyT >= 0 && t != onlyT) {
                continue;
            }
            for (int k = 0; k < CLASSES.size(); k++) {
                double v = recall[t][k][area.ordinal()][m];
                if (classes.test(k) && v > -1) {
                    sum += v;
                    n++;
                }
            }
        }
        return n == 0 ? -1 : sum / n;
    }

    private static int classIndex(VisDroneCategory category) {
        if (!category.evaluated()) {
            throw new IllegalArgumentException(category.label() + " is not an evaluated class");
        }
        return category.id() - 1;
    }
}
