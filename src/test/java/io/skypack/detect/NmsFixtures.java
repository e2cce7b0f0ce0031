package io.skypack.detect;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/** Random detection sets and slow reference NMS implementations written on {@link Box}. */
final class NmsFixtures {
    private NmsFixtures() {}

    /** A random case: crowded boxes so that many overlap, few classes, coarse scores so that ties occur. */
    record Case(float[] boxes, float[] scores, int[] classes) {
        int size() {
            return scores.length;
        }

        Box box(int i) {
            return new Box(boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]);
        }
    }

    static Case randomCase(Random rnd) {
        int n = rnd.nextInt(40);
        int numClasses = 1 + rnd.nextInt(3);
        float[] boxes = new float[4 * n];
        float[] scores = new float[n];
        int[] classes = new int[n];
        for (int i = 0; i < n; i++) {
            float x = rnd.nextFloat() * 60, y = rnd.nextFloat() * 60;
            float w = rnd.nextFloat() * 30, h = rnd.nextFloat() * 30;
            boxes[4 * i] = x;
            boxes[4 * i + 1] = y;
            boxes[4 * i + 2] = x + w;
            boxes[4 * i + 3] = y + h;
            scores[i] = rnd.nextInt(20) / 20f;
            classes[i] = rnd.nextInt(numClasses);
        }
        return new Case(boxes, scores, classes);
    }

    /** Detection indices by descending score, equal scores by ascending index. */
    static List<Integer> rankOrder(Case c) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < c.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingDouble((Integer i) -> -c.scores()[i]).thenComparingInt(i -> i));
        return order;
    }

    /**
     * Greedy NMS as usually described: take the best remaining detection, drop every remaining one of
     * its class that overlaps it by more than the threshold, repeat.
     */
    static List<Integer> greedyReference(Case c, double iouThreshold, int maxKeep) {
        List<Integer> remaining = rankOrder(c);
        List<Integer> kept = new ArrayList<>();
        while (!remaining.isEmpty() && kept.size() < maxKeep) {
            int best = remaining.remove(0);
            kept.add(best);
            remaining.removeIf(
                    j -> c.classes()[j] == c.classes()[best] && c.box(best).iou(c.box(j)) > iouThreshold);
        }
        return kept;
    }

    /** Fast NMS straight from its definition: compare each detection with all ranked above it. */
    static List<Integer> fastReference(Case c, double iouThreshold, int topK, int maxKeep) {
        List<Integer> order = rankOrder(c);
        List<Integer> kept = new ArrayList<>();
        for (int j : order) {
            List<Integer> above = new ArrayList<>();
            for (int i : order) {
                if (i == j) {
                    break;
                }
                if (c.classes()[i] == c.classes()[j]) {
                    above.add(i);
                }
            }
            if (above.size() >= topK) {
                continue; // not among its class's top k
            }
            double maxIou = above.stream()
                    .mapToDouble(i -> c.box(i).iou(c.box(j)))
                    .max()
                    .orElse(0);
            if (maxIou <= iouThreshold && kept.size() < maxKeep) {
                kept.add(j);
            }
        }
        return kept;
    }

    static List<Integer> list(int[] indices) {
        List<Integer> out = new ArrayList<>();
        for (int i : indices) {
            out.add(i);
        }
        return out;
    }
}
