package io.skypack.train.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.detect.Box;
import io.skypack.train.data.Annotation;
import io.skypack.train.data.LabeledImage;
import io.skypack.train.data.VisDroneCategory;
import io.skypack.train.data.VisDroneDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticFlightTest {

    private static SynthConfig small(long seed) {
        return new SynthConfig(320, 192, 6, 2, 10, 40, 110, 1.0, 1.0, 0, 0.9, seed);
    }

    @Test
    void shouldWriteByteIdenticalFilesForSameSeed(@TempDir Path a, @TempDir Path b, @TempDir Path c)
            throws IOException {
        new FlightWriter(small(5), a, true).writeAll(s -> {});
        new FlightWriter(small(5), b, true).writeAll(s -> {});
        new FlightWriter(small(6), c, true).writeAll(s -> {});
        Map<String, byte[]> first = readTree(a);
        Map<String, byte[]> second = readTree(b);
        assertEquals(first.keySet(), second.keySet());
        assertTrue(first.size() >= 2 * 6 + 2 * 4, "frames, annotations, masks, telemetry, previews: " + first.keySet());
        for (String f : first.keySet()) {
            assertArrayEquals(first.get(f), second.get(f), f + " differs between two runs with the same seed");
        }
        Map<String, byte[]> other = readTree(c);
        assertFalse(
                Arrays.equals(
                        first.get("sequences/synth_s5_f000/0000001.jpg"),
                        other.get("sequences/synth_s6_f000/0000001.jpg")),
                "another seed must give another flight");
    }

    @Test
    void shouldLeaveOnlyItsOwnFramesWhenRewritingAFlightWithFewerFrames(@TempDir Path root) throws IOException {
        new FlightWriter(new SynthConfig(320, 192, 6, 1, 10, 40, 110, 1.0, 1.0, 0, 0.9, 5), root, false).writeFlight(0);
        new FlightWriter(new SynthConfig(320, 192, 3, 1, 10, 40, 110, 1.0, 1.0, 0, 0.9, 5), root, false).writeFlight(0);

        try (Stream<Path> frames = Files.list(root.resolve("sequences/synth_s5_f000"))) {
            assertEquals(
                    List.of("0000001.jpg", "0000002.jpg", "0000003.jpg"),
                    frames.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void shouldWriteVisDroneVidLayoutThatTheDatasetReaderLoadsWithMasks(@TempDir Path root) throws IOException {
        SynthConfig cfg = new SynthConfig(480, 272, 5, 1, 10, 40, 60, 2.0, 1.0, 0, 0.9, 11);
        new FlightWriter(cfg, root, false).writeAll(s -> {});
        assertTrue(Files.isRegularFile(root.resolve("annotations/synth_s11_f000.txt")));
        assertTrue(Files.isRegularFile(root.resolve("sequences/synth_s11_f000/0000005.jpg")));
        assertEquals(
                6,
                Files.readAllLines(root.resolve("telemetry/synth_s11_f000.csv")).size());

        List<LabeledImage> images = VisDroneDataset.load(root);
        assertEquals(5, images.size());
        int withMask = 0;
        for (LabeledImage img : images) {
            assertEquals(480, img.width());
            assertEquals(272, img.height());
            for (Annotation a : img.annotations()) {
                if (a.isIgnoredRegion()) {
                    assertNull(a.mask(), "ignored regions carry no mask");
                    continue;
                }
                assertNotNull(a.mask(), "every labelled object has a mask: " + a);
                withMask++;
                Box m = a.mask().boundingBox();
                Box b = a.box();
                // The mask holds the visible pixels, so it lies inside the (rounded) full-object box.
                assertTrue(
                        m.x1() >= b.x1() - 1 && m.y1() >= b.y1() - 1 && m.x2() <= b.x2() + 1 && m.y2() <= b.y2() + 1,
                        "mask " + m + " outside box " + b);
                assertTrue(a.mask().area() <= b.area() + b.width() + b.height() + 1);
            }
        }
        assertTrue(
                withMask >= 10,
                "this 5-frame flight over a busy block has at least 10 labelled objects, got " + withMask);
    }

    @Test
    void shouldPopulateSevenVisDroneClassesWithThreeVariantsEach() {
        World w = World.generate(1500, 1500, 1.5, new SplittableRandom(1));
        Map<Integer, Set<Integer>> variants = new HashMap<>();
        for (SceneObject o : w.objects) {
            variants.computeIfAbsent(o.category, k -> new HashSet<>()).add(o.variant);
        }
        for (VisDroneCategory c : List.of(
                VisDroneCategory.PEDESTRIAN,
                VisDroneCategory.BICYCLE,
                VisDroneCategory.CAR,
                VisDroneCategory.VAN,
                VisDroneCategory.TRUCK,
                VisDroneCategory.BUS,
                VisDroneCategory.MOTOR)) {
            assertEquals(Set.of(0, 1, 2), variants.get(c.id()), c.label() + " variants");
        }
        Set<World.BlockKind> kinds = new HashSet<>();
        w.blocks.forEach(b -> kinds.add(b.kind()));
        assertTrue(
                kinds.contains(World.BlockKind.PARKING) && kinds.contains(World.BlockKind.FIELD),
                "clustered and empty blocks in one world: " + kinds);
    }

    @Test
    void shouldShrinkObjectsInProportionToAltitude() {
        double low = medianCarLength(40);
        double high = medianCarLength(110);
        // Ground sampling distance is proportional to altitude: 110/40 = 2.75.
        assertEquals(2.75, low / high, 0.35, "car length " + low + " px at 40 m vs " + high + " px at 110 m");
        assertTrue(low > 60 && low < 140, "a car at 40 m is ~80-100 px long, got " + low);
    }

    private static double medianCarLength(double altitude) {
        SynthConfig cfg = new SynthConfig(640, 360, 3, 1, 10, altitude, altitude, 2.0, 1.0, 0, 0.9, 21);
        FlightGenerator gen = new FlightGenerator(cfg, 0);
        List<Double> lengths = new ArrayList<>();
        while (gen.hasNext()) {
            for (Annotation a : gen.next().annotations()) {
                if (a.category() == VisDroneCategory.CAR.id() && a.truncation() == 0 && a.occlusion() == 0) {
                    lengths.add(Math.max(a.box().width(), a.box().height()));
                }
            }
        }
        assertTrue(lengths.size() >= 3, "need cars to measure at " + altitude + " m, got " + lengths.size());
        lengths.sort(Double::compare);
        return lengths.get(lengths.size() / 2);
    }

    @Test
    void shouldMarkHeavilyOccludedOrTinyObjectsAsIgnoredRegions() {
        SynthConfig cfg = new SynthConfig(640, 360, 8, 1, 10, 100, 150, 3.0, 1.0, 0, 0.9, 4);
        FlightGenerator gen = new FlightGenerator(cfg, 0);
        int ignored = 0, occluded = 0;
        while (gen.hasNext()) {
            for (Annotation a : gen.next().annotations()) {
                if (a.isIgnoredRegion()) {
                    ignored++;
                    assertEquals(0, a.scoreFlag(), "ignored regions have score 0 as in VisDrone");
                } else {
                    assertTrue(Math.min(a.box().width(), a.box().height()) >= FlightGenerator.MIN_LABEL_SIDE);
                    if (a.occlusion() > 0) occluded++;
                }
            }
        }
        assertTrue(ignored > 0, "high altitude dense scenes have unlabelable objects");
        assertTrue(occluded > 0, "trees and crowds occlude some labelled objects");
    }

    @Test
    void shouldVaryImageWithLightingAndBlurKnobs() {
        double bright = meanLuma(new SynthConfig(320, 192, 1, 1, 10, 60, 60, 1, 1.0, 0, 0.9, 8));
        double dusk = meanLuma(new SynthConfig(320, 192, 1, 1, 10, 60, 60, 1, 0.35, 0, 0.9, 8));
        assertTrue(dusk < bright * 0.8, "dusk " + dusk + " vs midday " + bright);
    }

    private static double meanLuma(SynthConfig cfg) {
        var img = new FlightGenerator(cfg, 0).next().image();
        long sum = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                sum += ((p >> 16) & 0xFF) + ((p >> 8) & 0xFF) + (p & 0xFF);
            }
        }
        return sum / 3.0 / (img.getWidth() * img.getHeight());
    }

    @Test
    void shouldRejectBadKnobWithMessageNamingTheOption() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> new SynthConfig(320, 192, 6, 1, 10, 80, 40, 1, 1, 0, 0.9, 1));
        assertTrue(e.getMessage().contains("--max-altitude"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> new SynthConfig(320, 192, 6, 1, 10, 40, 80, 1, 1, 0, 1.5, 1));
        assertTrue(e.getMessage().contains("--jpeg-quality"), e.getMessage());
    }

    private static Map<String, byte[]> readTree(Path root) throws IOException {
        Map<String, byte[]> files = new HashMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        return files;
    }
}
