package io.skypack.train.data;

import io.skypack.train.data.AnnotationFileReader.Format;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Loads a dataset in one of the two VisDrone layouts, with optional instance masks.
 *
 * <p><b>VisDrone-DET</b>: {@code <root>/images/<name>.jpg} and {@code
 * <root>/annotations/<name>.txt}, one line per object: {@code
 * bbox_left,bbox_top,bbox_width,bbox_height,score,object_category,truncation,occlusion}. Image id:
 * {@code <name>}. An annotation's target id is its 1-based line number in the file (blank lines
 * count), since DET has no track ids.
 *
 * <p><b>VisDrone-VID</b>: {@code <root>/sequences/<seq>/<frame>.jpg} with {@code <frame>} the
 * 1-based frame index in 7 digits, and {@code <root>/annotations/<seq>.txt}, lines {@code
 * frame_index,target_id,} followed by the DET fields. Image id: {@code <seq>/<frame>}, e.g. {@code
 * uav0000013_00000_v/0000001}. Every frame image becomes a {@link LabeledImage}, with no
 * annotations when the file has none for it.
 *
 * <p><b>Masks</b> (optional, our extension): {@code <root>/masks/<seq or name>.jsonl}, see {@link
 * MaskFile}; each line's mask is attached to the annotation it names.
 *
 * <p><b>Categories.</b> Every line is kept, including category 0 (ignored regions) and 11
 * (others): the evaluator treats them as the official VisDrone toolkit does (ignored regions and
 * "others" are not scored and detections inside ignored regions are discarded), and training
 * decides for itself; see {@link Annotation#isIgnoredRegion()}.
 *
 * <p><b>Accepted quirks</b> of the real files: blank lines, Windows line endings, a UTF-8 byte
 * order mark, spaces around fields, trailing commas (empty trailing fields), decimal box values.
 * Images may be {@code .jpg}, {@code .jpeg} or {@code .png} (any case); other files are ignored.
 * Image sizes come from the file headers; pixels are not decoded.
 *
 * <p><b>Errors.</b> Anything else wrong throws {@link DatasetFormatException} naming the file, the
 * 1-based line where there is one, and the problem: a non-numeric field, a wrong field count, a
 * category outside 0..11, a negative box width or height, a score other than 0/1, a frame index
 * with no image, an annotation file without images or images without an annotation file, a frame
 * image not named with 7 digits, and the mask errors listed in {@link MaskFile}.
 *
 * <p><b>Order.</b> DET images by name; VID sequences by name, frames by index.
 */
public final class VisDroneDataset {

    /** The two folder layouts. */
    public enum Layout {
        /** {@code images/} and {@code annotations/}. */
        DET,
        /** {@code sequences/} and {@code annotations/}. */
        VID
    }

    static final String IMAGES = "images";
    static final String SEQUENCES = "sequences";
    static final String ANNOTATIONS = "annotations";
    static final String MASKS = "masks";

    private static final Pattern IMAGE_NAME = Pattern.compile("(.+)\\.(?i:jpe?g|png)");
    private static final Pattern FRAME_NAME = Pattern.compile("(\\d{7})\\.(?i:jpe?g|png)");

    private VisDroneDataset() {}

    /**
     * Loads every image of the dataset at {@code root}, in either layout ({@link
     * #detectLayout(Path)}). For large VID datasets, {@link #sequences(Path)} with {@link
     * #loadSequence(Path, String)} loads one sequence at a time instead.
     */
    public static List<LabeledImage> load(Path root) throws IOException {
        return switch (detectLayout(root)) {
            case DET -> loadDet(root);
            case VID -> {
                List<LabeledImage> all = new ArrayList<>();
                for (String seq : sequences(root)) {
                    all.addAll(loadSequence(root, seq));
                }
                yield all;
            }
        };
    }

    /**
     * Which layout {@code root} has: VID when it holds {@code sequences/}, DET when it holds {@code
     * images/}; either way it must hold {@code annotations/}.
     *
     * @throws DatasetFormatException when root is not a folder, holds both or neither image folder,
     *     or has no annotation folder
     */
    public static Layout detectLayout(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new DatasetFormatException(root, "not a directory");
        }
        boolean vid = Files.isDirectory(root.resolve(SEQUENCES));
        boolean det = Files.isDirectory(root.resolve(IMAGES));
        if (vid && det) {
            throw new DatasetFormatException(
                    root, "holds both images/ (VisDrone-DET) and sequences/ (VisDrone-VID); expected one");
        }
        if (!vid && !det) {
            throw new DatasetFormatException(
                    root, "holds neither images/ (VisDrone-DET) nor sequences/ (VisDrone-VID)");
        }
        Path annotations = root.resolve(ANNOTATIONS);
        if (!Files.isDirectory(annotations)) {
            throw new DatasetFormatException(annotations, "annotation folder missing");
        }
        return vid ? Layout.VID : Layout.DET;
    }

    /**
     * The sequence names of a VisDrone-VID dataset, sorted, after checking that every sequence
     * folder has an annotation file and vice versa, and that every mask file names a sequence.
     */
    public static List<String> sequences(Path root) throws IOException {
        if (detectLayout(root) != Layout.VID) {
            throw new DatasetFormatException(root, "not a VisDrone-VID dataset (no sequences/ folder)");
        }
        Path sequencesDir = root.resolve(SEQUENCES);
        List<String> names = new ArrayList<>();
        for (Path p : list(sequencesDir)) {
            if (Files.isDirectory(p)) {
                names.add(p.getFileName().toString());
            }
        }
        Map<String, Path> annotations = filesBySuffix(root.resolve(ANNOTATIONS), ".txt");
        for (String seq : names) {
            if (!annotations.containsKey(seq)) {
                throw new DatasetFormatException(
                        sequencesDir.resolve(seq),
                        "sequence folder has no annotation file "
                                + root.resolve(ANNOTATIONS).resolve(seq + ".txt"));
            }
        }
        for (Map.Entry<String, Path> a : annotations.entrySet()) {
            if (!names.contains(a.getKey())) {
                throw new DatasetFormatException(
                        a.getValue(), "annotation file has no image folder " + sequencesDir.resolve(a.getKey()));
            }
        }
        requireMaskOwners(root, names, sequencesDir);
        return names;
    }

    /**
     * Loads one sequence of a VisDrone-VID dataset: its frames in index order, with masks from
     * {@code masks/<seq>.jsonl} when that file exists.
     */
    public static List<LabeledImage> loadSequence(Path root, String seq) throws IOException {
        Path dir = root.resolve(SEQUENCES).resolve(seq);
        Path annotationFile = root.resolve(ANNOTATIONS).resolve(seq + ".txt");
        if (!Files.isDirectory(dir)) {
            if (Files.isRegularFile(annotationFile)) {
                throw new DatasetFormatException(annotationFile, "annotation file has no image folder " + dir);
            }
            throw new DatasetFormatException(dir, "no such sequence folder");
        }
        if (!Files.isRegularFile(annotationFile)) {
            throw new DatasetFormatException(dir, "sequence folder has no annotation file " + annotationFile);
        }
        TreeMap<Integer, Path> frames = new TreeMap<>();
        for (Path p : list(dir)) {
            String name = p.getFileName().toString();
            if (!Files.isRegularFile(p) || !IMAGE_NAME.matcher(name).matches()) {
                continue;
            }
            Matcher m = FRAME_NAME.matcher(name);
            if (!m.matches()) {
                throw new DatasetFormatException(p, "frame image name is not a 7-digit frame index");
            }
            int frame = Integer.parseInt(m.group(1));
            if (frame < 1) {
                throw new DatasetFormatException(p, "frame index 0; VisDrone frames start at 1");
            }
            Path previous = frames.put(frame, p);
            if (previous != null) {
                throw new DatasetFormatException(p, "second image for frame " + frame + " besides " + previous);
            }
        }
        return assemble(
                frames,
                frame -> seq + "/" + String.format("%07d", frame),
                annotationFile,
                Format.VID,
                root.resolve(MASKS).resolve(seq + ".jsonl"));
    }

    private static List<LabeledImage> loadDet(Path root) throws IOException {
        Path imagesDir = root.resolve(IMAGES);
        TreeMap<String, Path> images = new TreeMap<>();
        for (Path p : list(imagesDir)) {
            Matcher m = IMAGE_NAME.matcher(p.getFileName().toString());
            if (Files.isRegularFile(p) && m.matches()) {
                Path previous = images.put(m.group(1), p);
                if (previous != null) {
                    throw new DatasetFormatException(p, "second image named " + m.group(1) + " besides " + previous);
                }
            }
        }
        Path annotationsDir = root.resolve(ANNOTATIONS);
        Map<String, Path> annotations = filesBySuffix(annotationsDir, ".txt");
        for (Map.Entry<String, Path> image : images.entrySet()) {
            if (!annotations.containsKey(image.getKey())) {
                throw new DatasetFormatException(
                        image.getValue(),
                        "image has no annotation file " + annotationsDir.resolve(image.getKey() + ".txt"));
            }
        }
        for (Map.Entry<String, Path> a : annotations.entrySet()) {
            if (!images.containsKey(a.getKey())) {
                throw new DatasetFormatException(
                        a.getValue(), "annotation file has no image " + imagesDir.resolve(a.getKey()) + ".jpg");
            }
        }
        requireMaskOwners(root, images.keySet(), imagesDir);
        List<LabeledImage> all = new ArrayList<>();
        for (Map.Entry<String, Path> image : images.entrySet()) {
            String name = image.getKey();
            all.addAll(assemble(
                    new TreeMap<>(Map.of(1, image.getValue())),
                    frame -> name,
                    annotations.get(name),
                    Format.DET,
                    root.resolve(MASKS).resolve(name + ".jsonl")));
        }
        return all;
    }

    /** Every {@code masks/*.jsonl} must belong to a sequence (VID) or image (DET) in {@code owners}. */
    private static void requireMaskOwners(Path root, Collection<String> owners, Path ownerDir) throws IOException {
        Path masksDir = root.resolve(MASKS);
        if (!Files.isDirectory(masksDir)) {
            return;
        }
        for (Map.Entry<String, Path> m : filesBySuffix(masksDir, ".jsonl").entrySet()) {
            if (!owners.contains(m.getKey())) {
                throw new DatasetFormatException(
                        m.getValue(), "mask file has no matching " + ownerDir.getFileName() + " entry " + m.getKey());
            }
        }
    }

    /**
     * Builds the labeled images of one annotation file: a VID sequence, or a DET image as a
     * one-frame sequence.
     */
    private static List<LabeledImage> assemble(
            SortedMap<Integer, Path> frames, IntFunction<String> id, Path annotationFile, Format format, Path maskFile)
            throws IOException {
        Map<Integer, List<Annotation>> byFrame = new HashMap<>();
        for (AnnotationFileReader.Entry e : AnnotationFileReader.read(annotationFile, format)) {
            if (!frames.containsKey(e.frame())) {
                throw new DatasetFormatException(
                        annotationFile,
                        e.line(),
                        "frame_index " + e.frame() + " has no image " + String.format("%07d", e.frame()) + ".jpg in "
                                + frameFolder(frames, annotationFile));
            }
            byFrame.computeIfAbsent(e.frame(), f -> new ArrayList<>()).add(e.annotation());
        }
        Map<Integer, ImageHeader> sizes = new HashMap<>();
        for (Map.Entry<Integer, Path> f : frames.entrySet()) {
            sizes.put(f.getKey(), ImageHeader.read(f.getValue()));
        }
        if (Files.exists(maskFile)) {
            attachMasks(maskFile, format, frames, sizes, byFrame);
        }
        List<LabeledImage> images = new ArrayList<>(frames.size());
        for (Map.Entry<Integer, Path> f : frames.entrySet()) {
            ImageHeader size = sizes.get(f.getKey());
            images.add(new LabeledImage(
                    id.apply(f.getKey()),
                    f.getValue(),
                    size.width(),
                    size.height(),
                    byFrame.getOrDefault(f.getKey(), List.of())));
        }
        return images;
    }

    private static Path frameFolder(SortedMap<Integer, Path> frames, Path annotationFile) {
        if (!frames.isEmpty()) {
            return frames.get(frames.firstKey()).getParent();
        }
        String name = annotationFile.getFileName().toString();
        return annotationFile
                .getParent()
                .resolveSibling(SEQUENCES)
                .resolve(name.substring(0, name.length() - ".txt".length()));
    }

    private static void attachMasks(
            Path maskFile,
            Format format,
            SortedMap<Integer, Path> frames,
            Map<Integer, ImageHeader> sizes,
            Map<Integer, List<Annotation>> byFrame)
            throws IOException {
        for (MaskFile.NumberedEntry n : MaskFile.readNumbered(maskFile)) {
            MaskFile.Entry e = n.entry();
            int frame = e.frame();
            if (!frames.containsKey(frame)) {
                throw new DatasetFormatException(
                        maskFile,
                        n.line(),
                        format == Format.DET
                                ? "frame " + frame + " in a VisDrone-DET mask file; DET masks use frame 1"
                                : "frame " + frame + " has no image");
            }
            ImageHeader size = sizes.get(frame);
            if (e.mask().height() != size.height() || e.mask().width() != size.width()) {
                throw new DatasetFormatException(
                        maskFile,
                        n.line(),
                        "mask size [" + e.mask().height() + ", " + e.mask().width() + "] differs from image size ["
                                + size.height() + ", " + size.width() + "] of " + frames.get(frame));
            }
            List<Annotation> annotations = byFrame.getOrDefault(frame, List.of());
            int found = -1;
            for (int i = 0; i < annotations.size(); i++) {
                if (annotations.get(i).targetId() == e.targetId()) {
                    if (found >= 0) {
                        throw new DatasetFormatException(
                                maskFile,
                                n.line(),
                                "target_id " + e.targetId() + " names more than one annotation in frame " + frame);
                    }
                    found = i;
                }
            }
            if (found < 0) {
                throw new DatasetFormatException(
                        maskFile, n.line(), "no annotation with target_id " + e.targetId() + " in frame " + frame);
            }
            Annotation a = annotations.get(found);
            if (a.mask() != null) {
                throw new DatasetFormatException(
                        maskFile, n.line(), "second mask for target_id " + e.targetId() + " in frame " + frame);
            }
            annotations.set(found, a.withMask(e.mask()));
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    /** Regular files in {@code dir} ending in {@code suffix}, by name without the suffix. */
    private static Map<String, Path> filesBySuffix(Path dir, String suffix) throws IOException {
        Map<String, Path> files = new TreeMap<>();
        for (Path p : list(dir)) {
            String name = p.getFileName().toString();
            if (Files.isRegularFile(p) && name.endsWith(suffix) && name.length() > suffix.length()) {
                files.put(name.substring(0, name.length() - suffix.length()), p);
            }
        }
        return files;
    }
}
