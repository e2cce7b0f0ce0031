package io.skypack.ingest;

import io.skypack.schema.Frame;
import io.skypack.schema.ImageEncoding;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * A recorded flight stored as images: a folder of JPEG or PNG images in name order (a VisDrone-VID
 * sequence folder, an exported image sequence), or a VisDrone root together with a sequence name
 * ({@code ROOT/sequences/NAME}). Image bytes go out exactly as stored (no re-encoding); width and height
 * come from the image header; capture times are {@code start + i / fps}.
 *
 * <p>A file that is not a readable image still becomes a frame (declared size 0 x 0), so the pipeline,
 * not the producer, decides what happens to it: it is dead-lettered with a reason and nothing else
 * stops.
 */
final class ImageSequence implements FlightSource {
    private final String flightId;
    private final List<Path> images;
    private final double fps;
    private final Instant start;

    private ImageSequence(String flightId, List<Path> images, double fps, Instant start) {
        this.flightId = flightId;
        this.images = images;
        this.fps = fps;
        this.start = start;
    }

    /**
     * @param source an image folder, or a VisDrone root holding {@code sequences/<flightId>}
     * @param fps frames per second of the recording, for capture times and {@code --pace original}
     */
    static ImageSequence open(Path source, String flightId, double fps, Instant start) throws IOException {
        if (!(fps > 0)) throw new IllegalArgumentException("fps must be > 0: " + fps);
        Path dir = source;
        if (Files.isDirectory(source.resolve("sequences").resolve(flightId))) {
            dir = source.resolve("sequences").resolve(flightId);
        }
        if (!Files.isDirectory(dir)) {
            throw new IOException(source + ": not a folder of images, a VisDrone root or a video file ("
                    + String.join(", ", FlightSource.VIDEO_EXTENSIONS) + ")");
        }
        List<Path> images;
        try (Stream<Path> files = Files.list(dir)) {
            images = files.filter(ImageSequence::isImage).sorted().toList();
        }
        if (images.isEmpty()) throw new IOException(dir + ": no .jpg, .jpeg or .png images");
        return new ImageSequence(flightId, images, fps, start);
    }

    @Override
    public int size() {
        return images.size();
    }

    @Override
    public String flightId() {
        return flightId;
    }

    /** When frame {@code i} was captured, relative to the first. */
    Duration offset(int i) {
        return Duration.ofNanos(Math.round(i * 1e9 / fps));
    }

    @Override
    public Iterator<Frame> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < images.size();
            }

            @Override
            public Frame next() {
                int i = next++;
                try {
                    return frame(i, images.get(i));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
    }

    private Frame frame(int i, Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int[] size = headerSize(file);
        return Frame.newBuilder()
                .setFlightId(flightId)
                .setFrameIndex(i)
                .setCaptureTime(start.plus(offset(i)))
                .setWidth(size[0])
                .setHeight(size[1])
                .setEncoding(
                        file.toString().toLowerCase(Locale.ROOT).endsWith(".png")
                                ? ImageEncoding.PNG
                                : ImageEncoding.JPEG)
                .setImage(ByteBuffer.wrap(bytes))
                .setImageRef(null)
                .setTelemetry(null)
                .build();
    }

    /** Width and height from the image header without decoding the pixels; 0 x 0 when unreadable. */
    static int[] headerSize(Path file) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) return new int[] {0, 0};
            var readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) return new int[] {0, 0};
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return new int[] {0, 0};
        }
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(p) && (n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png"));
    }
}
