package io.skypack.app;

import io.skypack.detect.BatchStats;
import io.skypack.detect.Detection;
import io.skypack.detect.DetectionException;
import io.skypack.detect.FrameImage;
import io.skypack.detect.FrameResult;
import io.skypack.detect.Mosaic;
import io.skypack.detect.UfpmpConfig;
import io.skypack.detect.UfpmpDetector;
import io.skypack.model.MpDetRunner;
import io.skypack.train.ModelDetections;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code skypack detect-images}: the UFP detector on a folder of images, with pictures of what it found. */
@Command(
        name = "detect-images",
        mixinStandardHelpOptions = true,
        description = {
            "Run the UFP detector (coarse pass, cluster, pack, fine pass) on every .jpg/.jpeg/.png image of a folder",
            "and write OUT/<image>.png: the image with each detection's box, class, score and translucent mask.",
            "With --show-mosaics also OUT/mosaics/batch<b>-mosaic<m>.png: the canvases the fine pass saw, chips",
            "outlined and labelled with their image and zoom, and the fine detections on them."
        })
final class DetectImagesCommand implements Callable<Integer> {
    @Option(names = "--in", required = true, description = "Folder of images.")
    Path in;

    @Option(names = "--out", required = true, description = "Folder for the pictures.")
    Path out;

    @Mixin
    UfpOptions ufp = new UfpOptions();

    @Option(names = "--batch", description = "Images per detector call (default ${DEFAULT-VALUE}).")
    int batch = 8;

    @Option(names = "--min-score", description = "Draw detections scoring at least this (default ${DEFAULT-VALUE}).")
    double minScore = 0.3;

    @Option(names = "--show-mosaics", description = "Also write the packed canvases the fine pass saw.")
    boolean showMosaics;

    @Override
    public Integer call() throws IOException, DetectionException {
        if (batch < 1) throw new IllegalArgumentException("--batch must be at least 1: " + batch);
        List<Path> files = images(in);
        UfpmpConfig config = ufp.config(batch); // checks the options before the models load
        Files.createDirectories(showMosaics ? out.resolve("mosaics") : out);
        try (MpDetRunner coarse = ufp.openCoarse();
                MpDetRunner fine = ufp.openFine()) {
            UfpmpDetector detector = new UfpmpDetector(coarse, fine, config);
            for (int start = 0, b = 0; start < files.size(); start += batch, b++) {
                List<FrameImage> frames = new ArrayList<>();
                Map<Integer, String> names = new HashMap<>();
                for (int i = start; i < Math.min(files.size(), start + batch); i++) {
                    frames.add(new FrameImage(i, ModelDetections.read(files.get(i))));
                    names.put(i, baseName(files.get(i)));
                }
                UfpmpDetector.Mosaics result = detector.detectShowingMosaics(frames);
                int drawn = 0;
                for (int k = 0; k < frames.size(); k++) {
                    FrameResult r = result.batch().frames().get(k);
                    List<Detection> shown = atLeast(r.detections());
                    drawn += shown.size();
                    write(
                            DetectionOverlay.draw(frames.get(k).image(), shown),
                            out.resolve(names.get(r.index()) + ".png"));
                }
                List<Mosaic> mosaics = result.packing().mosaics();
                for (int m = 0; showMosaics && m < mosaics.size(); m++) {
                    write(
                            DetectionOverlay.drawMosaic(
                                    result.canvases().get(m),
                                    mosaics.get(m),
                                    atLeast(result.fineDetections().get(m)),
                                    names::get),
                            out.resolve(String.format(Locale.ROOT, "mosaics/batch%03d-mosaic%02d.png", b, m)));
                }
                BatchStats s = result.batch().stats();
                System.out.printf(
                        Locale.ROOT,
                        "batch %d: %d images, %d regions, %d mosaics, %d detections >= %.2f drawn;"
                                + " coarse %.0f ms, pack %.0f ms, fine %.0f ms%n",
                        b,
                        frames.size(),
                        result.batch().frames().stream()
                                .mapToInt(f -> f.regions().size())
                                .sum(),
                        s.mosaics(),
                        drawn,
                        minScore,
                        s.coarseMs(),
                        s.packMs(),
                        s.fineMs());
            }
        }
        System.out.println("wrote " + files.size() + " pictures to " + out.toAbsolutePath());
        return 0;
    }

    /** The folder's images by name; refuses a folder without any, or two images that would share an output name. */
    static List<Path> images(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException(dir + ": not a folder");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p ->
                            p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(jpe?g|png)"))
                    .sorted()
                    .toList();
        }
        if (files.isEmpty()) throw new IOException(dir + ": no .jpg, .jpeg or .png images");
        Map<String, Path> byName = new HashMap<>();
        for (Path f : files) {
            Path other = byName.put(baseName(f), f);
            if (other != null) {
                throw new IOException(other + " and " + f + " would both be drawn to " + baseName(f) + ".png");
            }
        }
        return files;
    }

    private static String baseName(Path file) {
        String n = file.getFileName().toString();
        return n.substring(0, n.lastIndexOf('.'));
    }

    private List<Detection> atLeast(List<Detection> dets) {
        return dets.stream().filter(d -> d.score() >= minScore).toList();
    }

    private static void write(BufferedImage img, Path file) throws IOException {
        if (!ImageIO.write(img, "png", file.toFile())) throw new IOException("no PNG writer for " + file);
    }
}
