package io.skypack.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.embedded.LocalKafkaBroker;
import io.skypack.embedded.LocalSchemaRegistry;
import io.skypack.ingest.MjpegServer;
import io.skypack.ingest.TestVideos;
import io.skypack.registry.AvroDeserializer;
import io.skypack.registry.SchemaRegistryClient;
import io.skypack.registry.SchemaRegistryConfig;
import io.skypack.schema.Frame;
import io.skypack.schema.ImageEncoding;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code skypack live} and {@code skypack replay} of a video, as a user runs them, into a real broker and registry
 * (in-process KRaft, Apicurio in a child JVM): a camera on loopback (multipart MJPEG over HTTP on 127.0.0.1) and an
 * H.264 file encoded here, decoded by the bundled FFmpeg libraries; the frames are read back from the topic.
 */
class LiveIT {
    private static LocalKafkaBroker broker;
    private static LocalSchemaRegistry registry;

    @BeforeAll
    static void start() throws IOException {
        broker = LocalKafkaBroker.start();
        registry = LocalSchemaRegistry.start();
        broker.createTopics(1, "live-it.frames", "replay-it.frames");
    }

    @AfterAll
    static void stop() {
        if (registry != null) registry.close();
        if (broker != null) broker.close();
    }

    @Test
    void liveShouldSendFramesOfALoopbackCameraStampedWithTheirReadTime() throws Exception {
        try (MjpegServer camera = MjpegServer.start(MjpegServer.jpegs(100, 320, 240), 15)) {
            Instant before = Instant.now();
            String printed = run(
                    "live",
                    "--url",
                    camera.url(),
                    "--flight",
                    "cam1",
                    "--max-frames",
                    "8",
                    "--set",
                    "skypack.topics.frames=live-it.frames");
            Instant after = Instant.now();
            assertTrue(printed.contains("profile live"), printed);
            assertTrue(printed.contains("sent 8 frames of cam1 to live-it.frames"), printed);
            assertTrue(printed.contains("--max-frames reached"), printed);

            List<ConsumerRecord<String, Frame>> records = readBack("live-it.frames", 8);
            assertEquals(8, records.size());
            long lastIndex = -1;
            for (ConsumerRecord<String, Frame> r : records) {
                Frame f = r.value();
                assertEquals("cam1", r.key());
                assertEquals("cam1", f.getFlightId());
                assertTrue(f.getFrameIndex() > lastIndex, "indexes increase");
                lastIndex = f.getFrameIndex();
                assertTrue(
                        !f.getCaptureTime().isBefore(before)
                                && !f.getCaptureTime().isAfter(after),
                        "read during the run: " + f.getCaptureTime());
                assertEquals(f.getCaptureTime().toEpochMilli(), r.timestamp(), "record timestamp = read time");
                assertEquals(ImageEncoding.JPEG, f.getEncoding());
                BufferedImage img =
                        ImageIO.read(new ByteArrayInputStream(f.getImage().array()));
                assertEquals(320, img.getWidth());
                assertEquals(320, f.getWidth());
                assertEquals(240, f.getHeight());
            }
        }
    }

    @Test
    void replayShouldSendEveryFrameOfAVideoFileTimedByItsTimestamps(@TempDir Path dir) throws Exception {
        Path video = TestVideos.write(dir.resolve("flight.mp4"), TestVideos.frames(12, 320, 240), 10, "libopenh264");
        String printed = run(
                "replay",
                "--source",
                video.toString(),
                "--flight",
                "vid1",
                "--pace",
                "x4",
                "--set",
                "skypack.topics.frames=replay-it.frames");
        assertTrue(printed.contains("replayed 12 frames of vid1 to replay-it.frames"), printed);

        List<ConsumerRecord<String, Frame>> records = readBack("replay-it.frames", 12);
        assertEquals(12, records.size());
        Instant first = records.get(0).value().getCaptureTime();
        for (int i = 0; i < records.size(); i++) {
            Frame f = records.get(i).value();
            assertEquals(i, f.getFrameIndex());
            assertEquals(first.plusMillis(100L * i), f.getCaptureTime(), "10 fps, from the file");
            assertEquals(320, f.getWidth());
        }
    }

    private static String run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-servers", broker.bootstrapServers(), "--registry", registry.url()));
        StringWriter text = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(text, true));
        cli.setErr(new PrintWriter(text, true));
        int code = cli.execute(all.toArray(String[]::new));
        assertEquals(0, code, text.toString());
        return text.toString();
    }

    private static List<ConsumerRecord<String, Frame>> readBack(String topic, int expected) {
        SchemaRegistryClient client =
                new SchemaRegistryClient(SchemaRegistryConfig.fromMap(Map.of("schema.registry.url", registry.url())));
        AvroDeserializer<Frame> frames = AvroDeserializer.forType(Frame.class, client);
        List<ConsumerRecord<String, Frame>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        broker.bootstrapServers(),
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false,
                        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                        16 << 20),
                new StringDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition p = new TopicPartition(topic, 0);
            consumer.assign(List.of(p));
            consumer.seekToBeginning(List.of(p));
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < end) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(OutputWatcher.withValue(r, frames.deserialize(r.topic(), r.value())));
                }
            }
        }
        return out;
    }
}
