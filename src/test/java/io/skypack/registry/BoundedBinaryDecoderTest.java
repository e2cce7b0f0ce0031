package io.skypack.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;

class BoundedBinaryDecoderTest {
    private static final Schema ALL = SchemaBuilder.record("All")
            .fields()
            .name("n")
            .type()
            .nullType()
            .noDefault()
            .requiredBoolean("flag")
            .requiredInt("i")
            .requiredLong("l")
            .requiredFloat("f")
            .requiredDouble("d")
            .requiredString("s")
            .requiredBytes("b")
            .name("fx")
            .type()
            .fixed("Four")
            .size(4)
            .noDefault()
            .name("e")
            .type()
            .enumeration("Color")
            .symbols("RED", "GREEN")
            .noDefault()
            .name("a")
            .type()
            .array()
            .items()
            .longType()
            .noDefault()
            .name("m")
            .type()
            .map()
            .values()
            .stringType()
            .noDefault()
            .name("u")
            .type()
            .unionOf()
            .nullType()
            .and()
            .intType()
            .endUnion()
            .noDefault()
            .endRecord();

    @Test
    void shouldDecodeEveryTypeAsAvroDoes() throws IOException {
        GenericRecord r = new GenericData.Record(ALL);
        r.put("flag", true);
        r.put("i", Integer.MIN_VALUE);
        r.put("l", Long.MAX_VALUE);
        r.put("f", -1.5e-7f);
        r.put("d", Math.PI);
        r.put("s", "zürich ✈");
        r.put("b", ByteBuffer.wrap(new byte[] {1, 2, 3}));
        r.put("fx", new GenericData.Fixed(ALL.getField("fx").schema(), new byte[] {9, 8, 7, 6}));
        r.put("e", new GenericData.EnumSymbol(ALL.getField("e").schema(), "GREEN"));
        r.put("a", List.of(0L, -1L, 1L << 40));
        r.put("m", Map.of(new Utf8("k"), new Utf8("v")));
        r.put("u", 7);
        byte[] bytes = write(ALL, r, false);

        BoundedBinaryDecoder ours = new BoundedBinaryDecoder(bytes, 0, bytes.length);
        GenericRecord read = new GenericDatumReader<GenericRecord>(ALL).read(null, ours);

        GenericRecord reference = new GenericDatumReader<GenericRecord>(ALL)
                .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        assertEquals(reference, read);
        assertTrue(ours.isEnd());
    }

    @Test
    void shouldSkipBlockedArraysAndMapsTheReaderDoesNotHave() throws IOException {
        Schema writer = SchemaBuilder.record("R")
                .fields()
                .name("a")
                .type()
                .array()
                .items()
                .stringType()
                .noDefault()
                .name("m")
                .type()
                .map()
                .values()
                .longType()
                .noDefault()
                .requiredString("keep")
                .endRecord();
        Schema reader =
                SchemaBuilder.record("R").fields().requiredString("keep").endRecord();
        GenericRecord r = new GenericData.Record(writer);
        List<String> items = new ArrayList<>();
        for (int i = 0; i < 200; i++) items.add("item-" + i);
        r.put("a", items);
        r.put("m", Map.of("x", 1L, "y", 2L));
        r.put("keep", "kept");
        byte[] blocked = write(writer, r, true);
        byte[] plain = write(writer, r, false);

        for (byte[] bytes : List.of(blocked, plain)) {
            BoundedBinaryDecoder ours = new BoundedBinaryDecoder(bytes, 0, bytes.length);
            GenericRecord read = new GenericDatumReader<GenericRecord>(writer, reader).read(null, ours);
            assertEquals("kept", read.get("keep").toString());
            assertTrue(ours.isEnd());
        }
        // The blocked encoding really has blocks with byte sizes (negative counts).
        assertTrue(blocked.length > plain.length);
    }

    @Test
    void shouldRefuseAStringLongerThanTheBytesLeftBeforeAllocatingIt() {
        // Zig-zag varint of 2^30: a 1 GiB string in a 5-byte record.
        byte[] bytes = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08};

        EOFException e =
                assertThrows(EOFException.class, () -> new BoundedBinaryDecoder(bytes, 0, bytes.length).readString());

        assertTrue(e.getMessage().contains("1073741824 bytes announced"), e.getMessage());
    }

    @Test
    void shouldRefuseABlockWithMoreItemsThanBytesLeft() {
        byte[] bytes = {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 2};

        assertThrows(EOFException.class, () -> new BoundedBinaryDecoder(bytes, 0, bytes.length).readArrayStart());
    }

    @Test
    void shouldRefuseNegativeLengthsAndOverlongVarints() {
        byte[] negative = {5};
        byte[] overlong = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1};

        assertThrows(AvroRuntimeException.class, () -> new BoundedBinaryDecoder(negative, 0, 1).readBytes(null));
        assertThrows(AvroRuntimeException.class, () -> new BoundedBinaryDecoder(overlong, 0, 6).readInt());
    }

    @Test
    void shouldReadOnlyItsSliceOfTheArray() throws IOException {
        byte[] bytes = {42, 4, 'h', 'i', 99};

        BoundedBinaryDecoder d = new BoundedBinaryDecoder(bytes, 1, 3);

        assertEquals("hi", d.readString());
        assertTrue(d.isEnd());
        assertThrows(EOFException.class, d::readInt);
    }

    private static byte[] write(Schema schema, GenericRecord record, boolean blocked) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder e = blocked
                // Small blocks with byte sizes: the path that skips whole blocks.
                ? new EncoderFactory().configureBlockSize(64).blockingBinaryEncoder(out, null)
                : EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, e);
        e.flush();
        return out.toByteArray();
    }
}
