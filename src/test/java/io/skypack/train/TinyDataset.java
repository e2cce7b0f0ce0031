package io.skypack.train;

import io.skypack.detect.Box;
import io.skypack.detect.MaskRle;
import io.skypack.train.data.Annotation;
import io.skypack.train.data.LabeledImage;
import io.skypack.train.data.MaskFile;
import io.skypack.train.data.VisDroneDataset;
import io.skypack.train.data.VisDroneWriter;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/** A hand-made VisDrone-DET dataset: grey images with bright rectangles as cars, boxes and masks exact. */
final class TinyDataset {
    private TinyDataset() {}

    /** Writes {@code n} 128x128 images, image i with a 40x24 "car" at (20 + 8i, 30 + 6i). */
    static List<LabeledImage> write(Path root, int n) throws IOException {
        Files.createDirectories(root.resolve("images"));
        for (int i = 0; i < n; i++) {
            int x = 20 + 8 * i, y = 30 + 6 * i;
            BufferedImage img = new BufferedImage(128, 128, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setColor(new Color(90, 110, 90));
            g.fillRect(0, 0, 128, 128);
            g.setColor(new Color(220, 40, 40));
            g.fillRect(x, y, 40, 24);
            g.dispose();
            String name = String.format("img%02d", i);
            ImageIO.write(img, "png", root.resolve("images/" + name + ".png").toFile());
            MaskRle mask = MaskRle.ofRectangle(128, 128, x, y, x + 40, y + 24);
            Annotation a = new Annotation(1, new Box(x, y, x + 40, y + 24), 4, 1, 0, 0, null);
            VisDroneWriter.writeDet(root.resolve("annotations/" + name + ".txt"), List.of(a));
            MaskFile.write(root.resolve("masks/" + name + ".jsonl"), List.of(new MaskFile.Entry(1, 1, mask)));
        }
        return new ArrayList<>(VisDroneDataset.load(root));
    }
}
