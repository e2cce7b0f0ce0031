package io.skypack.app;

import io.skypack.registry.AvroSerializer;
import io.skypack.registry.SchemaRegistryClient;
import io.skypack.schema.Frame;
import io.skypack.schema.ImageEncoding;
import io.skypack.schema.Telemetry;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.apache.avro.Schema;

/**
 * A deterministic corpus of hostile records for the frames topic, built from a few valid frames in
 * the Confluent wire format (magic byte 0, 4-byte schema id, Avro body) and a seed. Each entry is one
 * raw Kafka record (key and value bytes, either may be null) with the {@link Kind} of damage done to
 * it; good frames are interleaved.
 *
 * <p>The mutations work on the bytes where that is what a faulty producer or network would damage
 * (bit flips, truncation, junk, lengths), and re-encode a frame with the real serializer where the
 * damage is in what a producer declares (sizes, encodings, missing fields, huge images).
 */
final class HostileCorpus {

    /** What was done to a record, and what must become of it. */
    enum Kind {
        GOOD(Expect.PROCESSED, "an unmodified frame"),
        VALID_VARIANT(Expect.PROCESSED, "valid but unusual: RAW_RGB, PNG, telemetry, a non-ASCII flight id"),
        ODD_IMAGE(
                Expect.PROCESSED,
                "valid images of odd shape or type: 1x1, 1000x1, 1x1000, 999x1000, grey, palette, 16-bit"),
        BIT_FLIP_IMAGE(Expect.EITHER, "1-8 bits flipped in the JPEG payload"),
        BIT_FLIP_FIELDS(Expect.EITHER, "1-2 bits flipped in the Avro fields around the payload"),
        BIT_FLIP_WIRE_HEADER(Expect.EITHER, "1 bit flipped in the magic byte or the schema id"),
        TRUNCATED(Expect.DEAD_LETTERED, "cut at a random length (0 included)"),
        RANDOM_BYTES(Expect.EITHER, "random bytes, half behind a valid wire-format header"),
        UNKNOWN_SCHEMA_ID(Expect.DEAD_LETTERED, "a schema id the registry does not know (negative ones too)"),
        WRONG_SCHEMA_ID(Expect.DEAD_LETTERED, "the id of another registered schema"),
        ABSURD_DECLARED_SIZE(Expect.DEAD_LETTERED, "declared width/height 0, negative, 2^31-1, 100000"),
        SIZE_DISAGREES(Expect.DEAD_LETTERED, "declared size differs from the image's"),
        LENGTH_BOMB(Expect.DEAD_LETTERED, "the Avro length of the image or flight id set absurd"),
        HUGE_IMAGE(Expect.DEAD_LETTERED, "over the byte or pixel limit, or a PNG header claiming 30000x30000"),
        ZERO_SIZE(Expect.DEAD_LETTERED, "empty value, tombstone, 0-byte image, 0x0 declared"),
        WRONG_ENCODING(Expect.DEAD_LETTERED, "encoding says PNG/RAW_RGB for JPEG bytes or JPEG for PNG bytes"),
        MISSING_IMAGE(Expect.DEAD_LETTERED, "no image (imageRef or nothing), or a blank flight id"),
        TRAILING_GARBAGE(Expect.DEAD_LETTERED, "a valid record with bytes appended"),
        HUGE_FLIGHT_ID(Expect.DEAD_LETTERED, "a flight id of 600,000 characters, a small image"),
        NEAR_BROKER_LIMIT(
                Expect.DEAD_LETTERED, "a 4 kB key and 1,044,450 bytes of junk: just under the broker's 1 MiB");

        final Expect expect;
        final String description;

        Kind(Expect expect, String description) {
            this.expect = expect;
            this.description = description;
        }
    }

    enum Expect {
        PROCESSED,
        DEAD_LETTERED,
        /** A damaged record that may still be a valid frame (a flipped pixel bit): either outcome, but one. */
        EITHER
    }

    /** One record to produce. */
    record Entry(Kind kind, byte[] key, byte[] value) {}

    private final Random rng;
    private final List<Frame> base;
    private final List<byte[]> baseBytes = new ArrayList<>();
    private final AvroSerializer<Frame> serializer;
    private final String topic;
    private final int frameSchemaId;
    private final int[] otherSchemaIds;

    /**
     * @param base valid JPEG frames to start from
     * @param otherSchemaIds ids of registered schemas that are not Frame's
     */
    HostileCorpus(long seed, List<Frame> base, SchemaRegistryClient client, String topic, int[] otherSchemaIds) {
        this.rng = new Random(seed);
        this.base = List.copyOf(base);
        this.serializer = new AvroSerializer<>(client, false);
        this.topic = topic;
        for (Frame f : base) baseBytes.add(serializer.serialize(topic, f));
        this.frameSchemaId = ByteBuffer.wrap(baseBytes.get(0), 1, 4).getInt();
        this.otherSchemaIds = otherSchemaIds.clone();
    }

    int frameSchemaId() {
        return frameSchemaId;
    }

    /** The whole corpus: the mutations, shuffled, with a good frame after every {@code goodEvery - 1}. */
    List<Entry> generate(int goodEvery) {
        List<Entry> bad = new ArrayList<>();
        add(bad, Kind.VALID_VARIANT, 20, this::validVariant);
        add(bad, Kind.ODD_IMAGE, 30, this::oddImage);
        add(bad, Kind.BIT_FLIP_IMAGE, 150, () -> flip(pick(), true, 1 + rng.nextInt(8)));
        add(bad, Kind.BIT_FLIP_FIELDS, 120, () -> flip(pick(), false, 1 + rng.nextInt(2)));
        add(bad, Kind.BIT_FLIP_WIRE_HEADER, 50, () -> {
            byte[] b = pick().clone();
            int bit = rng.nextInt(40);
            b[bit / 8] ^= (byte) (1 << (bit % 8));
            return b;
        });
        add(bad, Kind.TRUNCATED, 120, () -> {
            byte[] b = pick();
            return Arrays.copyOf(b, rng.nextInt(b.length));
        });
        add(bad, Kind.RANDOM_BYTES, 80, () -> {
            byte[] b = new byte[rng.nextInt(3000)];
            rng.nextBytes(b);
            if (rng.nextBoolean() && b.length >= 5)
                ByteBuffer.wrap(b).put((byte) 0).putInt(frameSchemaId);
            return b;
        });
        add(bad, Kind.UNKNOWN_SCHEMA_ID, 50, () -> {
            int id = rng.nextBoolean() ? 1_000_000 + rng.nextInt(1_000_000_000) : -1 - rng.nextInt(1_000_000);
            return withSchemaId(pick(), id);
        });
        add(
                bad,
                Kind.WRONG_SCHEMA_ID,
                40,
                () -> withSchemaId(pick(), otherSchemaIds[rng.nextInt(otherSchemaIds.length)]));
        int[] absurd = {0, -1, -640, Integer.MIN_VALUE, Integer.MAX_VALUE, 100_000, 1 << 16};
        add(bad, Kind.ABSURD_DECLARED_SIZE, 80, () -> {
            Frame f = Frame.newBuilder(pickFrame()).build();
            if (rng.nextBoolean()) f.setWidth(absurd[rng.nextInt(absurd.length)]);
            else f.setHeight(absurd[rng.nextInt(absurd.length)]);
            if (rng.nextInt(4) == 0) f.setWidth(absurd[rng.nextInt(absurd.length)]);
            return encode(f);
        });
        add(bad, Kind.SIZE_DISAGREES, 60, () -> {
            Frame f = Frame.newBuilder(pickFrame()).build();
            int w = f.getWidth(), h = f.getHeight();
            switch (rng.nextInt(3)) {
                case 0 -> f.setWidth(w + 1 + rng.nextInt(w));
                case 1 -> f.setHeight(Math.max(1, h - 1 - rng.nextInt(h - 1)));
                default -> {
                    f.setWidth(h);
                    f.setHeight(w);
                }
            }
            return encode(f);
        });
        long[] lengths = {Integer.MAX_VALUE, Long.MAX_VALUE, -1, -1000, 1L << 40, 0};
        add(bad, Kind.LENGTH_BOMB, 60, () -> lengthBomb(rng.nextBoolean(), lengths[rng.nextInt(lengths.length)]));
        add(bad, Kind.HUGE_IMAGE, 40, this::hugeImage);
        add(bad, Kind.ZERO_SIZE, 40, () -> switch (rng.nextInt(4)) {
            case 0 -> new byte[0];
            case 1 -> null; // a tombstone
            case 2 ->
                encode(Frame.newBuilder(pickFrame())
                        .setImage(ByteBuffer.wrap(new byte[0]))
                        .build());
            default ->
                encode(Frame.newBuilder(pickFrame()).setWidth(0).setHeight(0).build());
        });
        add(bad, Kind.WRONG_ENCODING, 40, () -> switch (rng.nextInt(3)) {
            case 0 ->
                encode(Frame.newBuilder(pickFrame())
                        .setEncoding(ImageEncoding.PNG)
                        .build());
            case 1 ->
                encode(Frame.newBuilder(pickFrame())
                        .setEncoding(ImageEncoding.RAW_RGB)
                        .build());
            default -> {
                Frame f = pickFrame();
                yield encode(Frame.newBuilder(f)
                        .setImage(ByteBuffer.wrap(png(decode(f))))
                        .build());
            }
        });
        add(bad, Kind.MISSING_IMAGE, 30, () -> switch (rng.nextInt(3)) {
            case 0 -> encode(Frame.newBuilder(pickFrame()).setImage(null).build());
            case 1 ->
                encode(Frame.newBuilder(pickFrame())
                        .setImage(null)
                        .setImageRef("s3://bucket/frame.jpg")
                        .build());
            default -> encode(Frame.newBuilder(pickFrame()).setFlightId(" ").build());
        });
        add(bad, Kind.TRAILING_GARBAGE, 30, () -> {
            byte[] b = pick();
            byte[] extra = new byte[1 + rng.nextInt(100)];
            rng.nextBytes(extra);
            byte[] out = Arrays.copyOf(b, b.length + extra.length);
            System.arraycopy(extra, 0, out, b.length, extra.length);
            return out;
        });
        add(bad, Kind.HUGE_FLIGHT_ID, 4, () -> {
            char[] id = new char[600_000];
            Arrays.fill(id, (char) ('a' + rng.nextInt(26)));
            return encode(
                    Frame.newBuilder(pickFrame()).setFlightId(new String(id)).build());
        });
        List<Entry> nearLimit = new ArrayList<>();
        add(nearLimit, Kind.NEAR_BROKER_LIMIT, 2, () -> {
            byte[] b = new byte[1_044_450];
            rng.nextBytes(b);
            b[0] = 1; // not the magic byte
            return b;
        });
        for (Entry e : nearLimit) {
            byte[] key = new byte[4_000];
            rng.nextBytes(key);
            bad.add(new Entry(e.kind(), key, e.value()));
        }
        java.util.Collections.shuffle(bad, rng);
        List<Entry> all = new ArrayList<>();
        int g = 0;
        for (Entry e : bad) {
            if (all.size() % goodEvery == 0) {
                int i = g++ % base.size();
                all.add(new Entry(Kind.GOOD, key(base.get(i)), baseBytes.get(i)));
            }
            all.add(e);
        }
        return all;
    }

    /** A good frame of the base, encoded. */
    Entry good(int i) {
        return new Entry(Kind.GOOD, key(base.get(i)), baseBytes.get(i));
    }

    // ---------------------------------------------------------------------------------------------

    private void add(List<Entry> out, Kind kind, int n, Supplier<byte[]> value) {
        for (int i = 0; i < n; i++) {
            int which = rng.nextInt(base.size());
            byte[] v = value.get();
            // Keys as a producer sends them (the flight id), sometimes none, sometimes junk.
            byte[] key =
                    switch (rng.nextInt(10)) {
                        case 0 -> null;
                        case 1 -> {
                            byte[] k = new byte[1 + rng.nextInt(16)];
                            rng.nextBytes(k);
                            yield k;
                        }
                        default -> key(base.get(which));
                    };
            out.add(new Entry(kind, key, v));
        }
    }

    private static byte[] key(Frame f) {
        return f.getFlightId().getBytes(StandardCharsets.UTF_8);
    }

    private Frame pickFrame() {
        return base.get(rng.nextInt(base.size()));
    }

    private byte[] pick() {
        return baseBytes.get(rng.nextInt(baseBytes.size()));
    }

    private byte[] encode(Frame f) {
        return serializer.serialize(topic, f);
    }

    /** Flips {@code bits} random bits inside the image payload, or outside it (header excluded). */
    private byte[] flip(byte[] record, boolean inPayload, int bits) {
        byte[] b = record.clone();
        int[] span = payload(record);
        for (int i = 0; i < bits; i++) {
            int pos;
            if (inPayload) {
                pos = span[0] + rng.nextInt(span[1]);
            } else {
                int outside = (span[0] - 5) + (b.length - span[0] - span[1]);
                int r = rng.nextInt(outside);
                pos = r < span[0] - 5 ? 5 + r : span[0] + span[1] + (r - (span[0] - 5));
            }
            b[pos] ^= (byte) (1 << rng.nextInt(8));
        }
        return b;
    }

    /** Start and length of the image bytes inside an encoded base record. */
    private int[] payload(byte[] record) {
        int i = baseBytes.indexOf(record);
        byte[] image = bytes(base.get(i).getImage());
        int at = indexOf(record, image);
        if (at < 0) throw new IllegalStateException("image bytes not found in their record");
        return new int[] {at, image.length};
    }

    private byte[] withSchemaId(byte[] record, int id) {
        byte[] b = record.clone();
        ByteBuffer.wrap(b, 1, 4).putInt(id);
        return b;
    }

    /** A base record whose image (or flight id) length prefix says {@code length}. */
    private byte[] lengthBomb(boolean image, long length) {
        int i = rng.nextInt(base.size());
        byte[] record = baseBytes.get(i);
        int start, end; // the old length prefix
        if (image) {
            int[] span = payload(record);
            end = span[0];
            start = end - zigzag(span[1]).length;
        } else {
            start = 5;
            end = start + zigzag(base.get(i).getFlightId().length()).length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(record, 0, start);
        out.writeBytes(zigzag(length));
        out.write(record, end, record.length - end);
        byte[] b = out.toByteArray();
        return Arrays.equals(b, record) ? Arrays.copyOf(record, record.length - 1) : b;
    }

    private byte[] hugeImage() {
        Frame f = pickFrame();
        return switch (rng.nextInt(4)) {
            case 0 -> { // over the byte limit: 300 kB of noise declared as a JPEG
                byte[] noise = new byte[300_000];
                rng.nextBytes(noise);
                noise[0] = (byte) 0xff;
                noise[1] = (byte) 0xd8;
                yield encode(
                        Frame.newBuilder(f).setImage(ByteBuffer.wrap(noise)).build());
            }
            case 1 -> { // a real 1200 x 1000 JPEG: over the pixel limit
                BufferedImage big = new BufferedImage(1200, 1000, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = big.createGraphics();
                g.setColor(new Color(rng.nextInt(0xffffff)));
                g.fillRect(0, 0, 1200, 1000);
                g.dispose();
                yield encode(Frame.newBuilder(f)
                        .setWidth(1200)
                        .setHeight(1000)
                        .setImage(ByteBuffer.wrap(jpeg(big)))
                        .build());
            }
            case 2 ->
                encode(Frame.newBuilder(f) // a small PNG whose header claims 30000 x 30000, declared so
                        .setEncoding(ImageEncoding.PNG)
                        .setWidth(30_000)
                        .setHeight(30_000)
                        .setImage(ByteBuffer.wrap(pngBomb(decode(f), 30_000, 30_000)))
                        .build());
            default ->
                encode(Frame.newBuilder(f) // the same PNG declared with the frame's real size
                        .setEncoding(ImageEncoding.PNG)
                        .setImage(ByteBuffer.wrap(pngBomb(decode(f), 30_000, 30_000)))
                        .build());
        };
    }

    /** A valid frame whose image has an odd shape (within the pixel limit) or pixel type. */
    private byte[] oddImage() {
        Frame f = pickFrame();
        int[][] shapes = {{1, 1}, {2, 2}, {1000, 1}, {1, 1000}, {999, 1000}, {640, 3}};
        int kind = rng.nextInt(shapes.length + 4);
        BufferedImage img;
        ImageEncoding encoding = ImageEncoding.PNG;
        if (kind < shapes.length) {
            img = new BufferedImage(shapes[kind][0], shapes[kind][1], BufferedImage.TYPE_INT_RGB);
            encoding = rng.nextBoolean() ? ImageEncoding.PNG : ImageEncoding.JPEG;
        } else {
            BufferedImage src = decode(f);
            int type =
                    switch (kind - shapes.length) {
                        case 0 -> BufferedImage.TYPE_BYTE_GRAY;
                        case 1 -> BufferedImage.TYPE_BYTE_INDEXED;
                        case 2 -> BufferedImage.TYPE_USHORT_GRAY;
                        default -> BufferedImage.TYPE_BYTE_BINARY;
                    };
            img = new BufferedImage(src.getWidth(), src.getHeight(), type);
            Graphics2D g = img.createGraphics();
            g.drawImage(src, 0, 0, null);
            g.dispose();
            if (type == BufferedImage.TYPE_BYTE_GRAY && rng.nextBoolean()) encoding = ImageEncoding.JPEG;
        }
        if (kind < shapes.length) {
            Graphics2D g = img.createGraphics();
            g.setColor(new Color(rng.nextInt(0xffffff)));
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            g.dispose();
        }
        byte[] bytes = encoding == ImageEncoding.PNG ? png(img) : jpeg(img);
        return encode(Frame.newBuilder(f)
                .setEncoding(encoding)
                .setWidth(img.getWidth())
                .setHeight(img.getHeight())
                .setImage(ByteBuffer.wrap(bytes))
                .build());
    }

    private byte[] validVariant() {
        Frame f = pickFrame();
        return switch (rng.nextInt(4)) {
            case 0 -> { // RAW_RGB, 32 x 24
                byte[] rgb = new byte[32 * 24 * 3];
                rng.nextBytes(rgb);
                yield encode(Frame.newBuilder(f)
                        .setEncoding(ImageEncoding.RAW_RGB)
                        .setWidth(32)
                        .setHeight(24)
                        .setImage(ByteBuffer.wrap(rgb))
                        .build());
            }
            case 1 ->
                encode(Frame.newBuilder(f)
                        .setEncoding(ImageEncoding.PNG)
                        .setImage(ByteBuffer.wrap(png(decode(f))))
                        .build());
            case 2 ->
                encode(Frame.newBuilder(f)
                        .setTelemetry(Telemetry.newBuilder()
                                .setAltitudeM(1e300)
                                .setLat(Double.NaN)
                                .setLon(-181.0)
                                .setHeadingDeg(Double.POSITIVE_INFINITY)
                                .build())
                        .build());
            default ->
                encode(Frame.newBuilder(f)
                        .setFlightId("vol-épreuve-✈-" + rng.nextInt(3))
                        .build());
        };
    }

    // ---------------------------------------------------------------------------------------------

    static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer d = buffer.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    private static BufferedImage decode(Frame f) {
        try {
            return ImageIO.read(new ByteArrayInputStream(bytes(f.getImage())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] png(BufferedImage img) {
        return write(img, "png");
    }

    private static byte[] jpeg(BufferedImage img) {
        return write(img, "jpg");
    }

    private static byte[] write(BufferedImage img, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(img, format, out)) throw new IllegalStateException("no " + format + " writer");
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A valid PNG of {@code img} whose IHDR (with a correct CRC) claims {@code w} x {@code h}. */
    private static byte[] pngBomb(BufferedImage img, int w, int h) {
        byte[] png = png(img);
        // Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4), ..., CRC over type + data.
        ByteBuffer b = ByteBuffer.wrap(png);
        b.putInt(16, w).putInt(20, h);
        CRC32 crc = new CRC32();
        crc.update(png, 12, 4 + 13);
        b.putInt(12 + 4 + 13, (int) crc.getValue());
        return png;
    }

    private static byte[] zigzag(long n) {
        long z = (n << 1) ^ (n >> 63);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((z & ~0x7FL) != 0) {
            out.write((int) ((z & 0x7F) | 0x80));
            z >>>= 7;
        }
        out.write((int) z);
        return out.toByteArray();
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    /** The schema of a record that shares no field with Frame, for a wrong schema id. */
    static Schema unrelatedSchema() {
        return new Schema.Parser()
                .parse("{\"type\":\"record\",\"name\":\"Unrelated\",\"namespace\":\"hostile\","
                        + "\"fields\":[{\"name\":\"flightId\",\"type\":\"int\"}]}");
    }
}
