package io.skypack.train.synth;

import io.skypack.train.data.Annotation;
import io.skypack.train.data.MaskFile;
import io.skypack.train.data.VisDroneWriter;
import java.awt.image.BufferedImage;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Writes synthetic flights in the VisDrone-VID layout, plus our masks and telemetry:
 *
 * <pre>
 * root/sequences/&lt;flight&gt;/0000001.jpg ...   frames
 * root/annotations/&lt;flight&gt;.txt             VisDrone-VID ground truth
 * root/masks/&lt;flight&gt;.jsonl                 COCO RLE instance masks (see {@link MaskFile})
 * root/telemetry/&lt;flight&gt;.csv               frame,time_ms,altitude_m,gsd_m,lat,lon,heading_deg
 * root/preview/&lt;flight&gt;.png                 contact sheet, with --preview
 * </pre>
 *
 * Nothing written depends on the clock or the machine, so the same config gives the same bytes.
 */
public final class FlightWriter {
    private final SynthConfig config;
    private final Path root;
    private final boolean preview;

    /** What one written flight contained. */
    public record FlightSummary(String name, int frames, int objects, int ignoredRegions, long millis) {}

    public FlightWriter(SynthConfig config, Path root, boolean preview) {
        this.config = config;
        this.root = root;
        this.preview = preview;
    }

    /** Generates and writes every flight; {@code progress} hears about each finished flight. */
    public List<FlightSummary> writeAll(Consumer<FlightSummary> progress) throws IOException {
        List<FlightSummary> out = new ArrayList<>();
        for (int i = 0; i < config.flights(); i++) {
            FlightSummary s = writeFlight(i);
            progress.accept(s);
            out.add(s);
        }
        return out;
    }

    public FlightSummary writeFlight(int index) throws IOException {
        long start = System.nanoTime();
        String name = config.flightName(index);
        Path seqDir = Files.createDirectories(root.resolve("sequences").resolve(name));
        // A flight written here before with more frames would leave frames without annotations behind.
        try (var old = Files.newDirectoryStream(seqDir, "[0-9][0-9][0-9][0-9][0-9][0-9][0-9].jpg")) {
            for (Path frame : old) Files.delete(frame);
        }
        Path annDir = Files.createDirectories(root.resolve("annotations"));
        Path maskDir = Files.createDirectories(root.resolve("masks"));
        Path telDir = Files.createDirectories(root.resolve("telemetry"));
        FlightGenerator gen = new FlightGenerator(config, index);
        List<Integer> previewAt = PreviewSheet.pickFrames(config.frames());
        List<SyntheticFrame> previewFrames = new ArrayList<>();
        int objects = 0, ignored = 0;
        try (BufferedWriter ann = Files.newBufferedWriter(annDir.resolve(name + ".txt"), StandardCharsets.UTF_8);
                MaskFile.Writer masks = MaskFile.newWriter(maskDir.resolve(name + ".jsonl"));
                BufferedWriter tel = Files.newBufferedWriter(telDir.resolve(name + ".csv"), StandardCharsets.UTF_8)) {
            tel.write("frame,time_ms,altitude_m,gsd_m,lat,lon,heading_deg\n");
            while (gen.hasNext()) {
                SyntheticFrame f = gen.next();
                writeJpeg(f.image(), seqDir.resolve(String.format("%07d.jpg", f.frameIndex())));
                for (Annotation a : f.annotations()) {
                    ann.write(VisDroneWriter.formatVid(f.frameIndex(), a));
                    ann.write('\n');
                    if (a.mask() != null) {
                        masks.write(new MaskFile.Entry(f.frameIndex(), a.targetId(), a.mask()));
                    }
                    if (a.isIgnoredRegion()) ignored++;
                    else objects++;
                }
                SyntheticFrame.Telemetry t = f.telemetry();
                tel.write(String.format(
                        Locale.ROOT,
                        "%d,%d,%.2f,%.5f,%.7f,%.7f,%.2f%n",
                        f.frameIndex(),
                        t.timeMillis(),
                        t.altitude(),
                        t.gsd(),
                        t.latitude(),
                        t.longitude(),
                        t.heading()));
                if (preview && previewAt.contains(f.frameIndex())) {
                    previewFrames.add(f);
                }
            }
        }
        if (preview) {
            Path dir = Files.createDirectories(root.resolve("preview"));
            ImageIO.write(
                    PreviewSheet.render(name, previewFrames),
                    "png",
                    dir.resolve(name + ".png").toFile());
        }
        return new FlightSummary(name, config.frames(), objects, ignored, (System.nanoTime() - start) / 1_000_000);
    }

    private void writeJpeg(BufferedImage img, Path file) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (OutputStream os = Files.newOutputStream(file);
                ImageOutputStream ios = ImageIO.createImageOutputStream(os)) {
            writer.setOutput(ios);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality((float) config.jpegQuality());
            writer.write(null, new IIOImage(img, null, null), param);
        } finally {
            writer.dispose();
        }
    }
}
