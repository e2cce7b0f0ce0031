package io.skypack.app;

import static io.skypack.app.ReliabilityHarness.TOPICS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.EngineException;
import io.skypack.app.ReliabilityHarness.InProcessDetector;
import io.skypack.app.ReliabilityHarness.Output;
import io.skypack.app.ReliabilityHarness.OutputReader;
import io.skypack.detect.DetectionBatch;
import io.skypack.detect.DetectionException;
import io.skypack.detect.Detector;
import io.skypack.detect.FrameImage;
import io.skypack.embedded.LocalKafkaBroker;
import io.skypack.embedded.LocalSchemaRegistry;
import io.skypack.registry.AvroSerializer;
import io.skypack.registry.SchemaRegistryClient;
import io.skypack.schema.Frame;
import io.skypack.schema.RejectReason;
import io.skypack.schema.RejectedFrame;
import io.skypack.train.synth.SynthConfig;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * "A detector failure on one batch (for example, out of native memory): the frames are retried or
 * dead-lettered with the reason, never silently dropped, and the next batch runs." On real components:
 * the in-process KRaft broker, Apicurio in a child JVM, the replay profile ({@code exactly_once_v2}) and
 * the bundled models in DJL, in this JVM, with the real detector wrapped by one that fails on chosen
 * batches:
 *
 * <ul>
 *   <li>the batch holding frame {@value #ENGINE_FAILS_ONCE} fails once with DJL's {@link
 *       EngineException} (as PyTorch reports native memory running out): its frames are retried alone and
 *       all come out as detections;
 *   <li>frame {@value #OOM_ALWAYS} makes the detector throw {@link OutOfMemoryError} whenever it is in a
 *       batch, alone too: its batch is retried frame by frame, it alone is dead-lettered ({@code
 *       INFERENCE_FAILED}, the message names the error), the rest of its batch comes out.
 * </ul>
 *
 * Then the next batches run, the stream thread was never replaced, and in = out + dead-lettered.
 */
class DetectorFailureIT {
    private static final long SEED = 6_006L;
    private static final int FRAMES = 16;
    private static final int BATCH = 4;
    private static final long ENGINE_FAILS_ONCE = 5, OOM_ALWAYS = 10;

    @Test
    void shouldRetryOrDeadLetterTheFramesOfAFailedBatchWithTheReasonAndRunTheNextBatch() throws Exception {
        List<Frame> frames = ReliabilityHarness.syntheticFlights(
                        new SynthConfig(160, 96, FRAMES, 1, 2.0, 40, 110, 1.0, 1.0, 0, 0.9, SEED))
                .get(0);
        // The wrapper recognises a frame by its decoded pixels: the same ImageIO decode as the pipeline's.
        Map<Integer, Long> indexByPixels = new HashMap<>();
        for (Frame f : frames) indexByPixels.put(pixelHash(decode(f)), f.getFrameIndex());
        assertEquals(FRAMES, indexByPixels.size(), "every frame's pixels differ");
        ScriptedFailures detector = new ScriptedFailures(indexByPixels);

        long t0 = System.nanoTime();
        try (LocalSchemaRegistry registry = LocalSchemaRegistry.start();
                LocalKafkaBroker broker = ReliabilityHarness.startBroker(1)) {
            SchemaRegistryClient client = ReliabilityHarness.registryClient(registry.url());
            Map<String, String> settings = Map.of(
                    "skypack.batch.max",
                    Integer.toString(BATCH),
                    // Batches close by size: the four batches are fixed by the frame order.
                    "skypack.batch.latency.ms",
                    "60000");
            try (InProcessDetector app = InProcessDetector.start(
                            "replay", broker, registry.url(), settings, d -> detector.around(d));
                    KafkaProducer<byte[], byte[]> producer = ReliabilityHarness.rawProducer(broker.bootstrapServers());
                    OutputReader output = new OutputReader(broker.bootstrapServers(), client, 1)) {
                AvroSerializer<Frame> serializer = new AvroSerializer<>(client, false);
                for (Frame f : frames) {
                    producer.send(new ProducerRecord<>(
                                    TOPICS.frames(),
                                    f.getFlightId().getBytes(),
                                    serializer.serialize(TOPICS.frames(), f)))
                            .get();
                }
                List<Output> out = output.await(FRAMES, Duration.ofSeconds(180), () -> {});
                out = output.drain(Duration.ofSeconds(2));

                List<Long> detected = out.stream()
                        .filter(o -> !o.isDeadLetter())
                        .map(o -> o.detections().getFrameIndex())
                        .toList();
                List<RejectedFrame> dead = out.stream()
                        .map(Output::rejected)
                        .filter(r -> r != null)
                        .toList();
                String summary = String.format(
                        Locale.ROOT,
                        "DetectorFailureIT: %d frames in, %d detections records + %d dead-lettered out (read_committed)"
                                + " in %.0f s; detector calls (batch sizes, F = failed): %s; dead letter: %s",
                        FRAMES,
                        detected.size(),
                        dead.size(),
                        (System.nanoTime() - t0) / 1e9,
                        detector.calls,
                        dead.isEmpty()
                                ? "-"
                                : dead.get(0).getReasonCode() + " "
                                        + dead.get(0).getMessage());
                System.out.println(summary);

                List<Long> expected = new ArrayList<>();
                for (long i = 0; i < FRAMES; i++) if (i != OOM_ALWAYS) expected.add(i);
                assertEquals(expected, detected, "every other frame detected once, in order; " + summary);
                assertEquals(1, dead.size(), summary);
                RejectedFrame r = dead.get(0);
                assertEquals(RejectReason.INFERENCE_FAILED, r.getReasonCode(), summary);
                assertTrue(r.getMessage().contains("OutOfMemoryError"), "the reason names the failure: " + summary);
                assertEquals(TOPICS.frames(), r.getSourceTopic());
                assertEquals(OOM_ALWAYS, r.getSourceOffset(), "the frame's own input offset");
                assertEquals(FRAMES, out.size(), "in = out + dead-lettered; " + summary);
                // Batches by size: [0-3], [4-7] fails (engine), its frames alone, [8-11] fails (OOM), its frames
                // alone (frame 10 fails again), [12-15].
                assertEquals(
                        List.of("4", "4F", "1", "1", "1", "1", "4F", "1", "1", "1F", "1", "4"),
                        detector.calls,
                        summary);
                assertEquals(List.of(), app.threadFailures(), "no stream thread died");
                assertEquals(KafkaStreams.State.RUNNING, app.state());
            }
        }
    }

    /**
     * The real detector, failing as scripted: once with an {@link EngineException} on the batch that
     * holds frame {@link #ENGINE_FAILS_ONCE} (a transient shortage), and with an {@link OutOfMemoryError}
     * on every call that includes frame {@link #OOM_ALWAYS}.
     */
    private static final class ScriptedFailures {
        private final Map<Integer, Long> indexByPixels;
        final List<String> calls = new CopyOnWriteArrayList<>();
        private boolean engineFailed;

        ScriptedFailures(Map<Integer, Long> indexByPixels) {
            this.indexByPixels = indexByPixels;
        }

        Detector around(Detector real) {
            return new Detector() {
                @Override
                public DetectionBatch detect(List<FrameImage> batch) throws DetectionException {
                    List<Long> indices = batch.stream()
                            .map(f -> indexByPixels.get(pixelHash(f.image())))
                            .toList();
                    if (!engineFailed && indices.contains(ENGINE_FAILS_ONCE)) {
                        engineFailed = true;
                        calls.add(batch.size() + "F");
                        throw new EngineException("scripted: CUDA out of memory. Tried to allocate 2.00 GiB");
                    }
                    if (indices.contains(OOM_ALWAYS)) {
                        calls.add(batch.size() + "F");
                        throw new OutOfMemoryError("scripted: Java heap space");
                    }
                    calls.add(Integer.toString(batch.size()));
                    return real.detect(batch);
                }

                @Override
                public String toString() {
                    return "scripted failures around " + real;
                }
            };
        }
    }

    private static BufferedImage decode(Frame f) throws IOException {
        ByteBuffer b = f.getImage().duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return ImageIO.read(new ByteArrayInputStream(bytes));
    }

    private static int pixelHash(BufferedImage img) {
        return Arrays.hashCode(img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth()));
    }
}
