package io.skypack.app;

import static io.skypack.app.ReliabilityHarness.TOPICS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.skypack.app.HostileCorpus.Entry;
import io.skypack.app.HostileCorpus.Expect;
import io.skypack.app.HostileCorpus.Kind;
import io.skypack.app.ReliabilityHarness.InProcessDetector;
import io.skypack.app.ReliabilityHarness.Output;
import io.skypack.app.ReliabilityHarness.OutputReader;
import io.skypack.embedded.LocalKafkaBroker;
import io.skypack.embedded.LocalSchemaRegistry;
import io.skypack.registry.SchemaRegistryClient;
import io.skypack.schema.FlightStats;
import io.skypack.schema.Frame;
import io.skypack.schema.FrameDetections;
import io.skypack.schema.RejectedFrame;
import io.skypack.train.synth.SynthConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * Hostile input on real components: a corpus of over 1,000 mutated frames ({@link HostileCorpus}: bit
 * flips, truncation, random bytes, unknown and wrong schema ids, absurd declared sizes and lengths,
 * huge images, zero sizes, wrong encodings, missing images, trailing garbage), generated from a seed
 * and a few valid frames of a small synthetic flight, is produced raw onto {@code uav.frames} with good
 * frames interleaved, while the detector (replay profile, {@code exactly_once_v2}, the bundled models)
 * runs in this JVM against the in-process broker and Apicurio.
 *
 * <p>Every input record must have exactly one outcome, a detections record or a dead letter with a
 * reason and a message (matched by the record timestamp, which the pipeline carries from input to
 * output, and checked against the dead letter's source partition and offset and original bytes, which
 * a dead letter of a record near the broker's size limit carries cut); in = out + dead-lettered
 * + skipped; the kinds that cannot be a valid frame are all dead-lettered and the good ones all
 * processed; no stream thread dies, the application is RUNNING at the end and still processes a last
 * good frame. Prints the table of counts per kind that {@code docs/reliability-hostile.md} quotes.
 */
class HostileInputIT {
    private static final long SEED = 20_261_125L;
    private static final int PARTITIONS = 2;
    /** Limits of this run, smaller than the profile's so that "huge" stays cheap to produce. */
    private static final long MAX_BYTES = 262_144, MAX_PIXELS = 1_000_000;

    @Test
    void everyHostileRecordShouldBeProcessedOrDeadLetteredOnceAndTheApplicationShouldKeepRunning() throws Exception {
        long t0 = System.nanoTime();
        List<Frame> base = new ArrayList<>();
        for (List<Frame> flight : ReliabilityHarness.syntheticFlights(
                new SynthConfig(128, 80, 3, 2, 2.0, 40, 110, 1.0, 1.0, 0, 0.9, SEED))) {
            base.addAll(flight);
        }
        try (LocalSchemaRegistry registry = LocalSchemaRegistry.start();
                LocalKafkaBroker broker = ReliabilityHarness.startBroker(PARTITIONS)) {
            SchemaRegistryClient client = ReliabilityHarness.registryClient(registry.url());
            int[] others = {
                client.register(TOPICS.detections() + "-value", FrameDetections.getClassSchema()),
                client.register(TOPICS.deadLetters() + "-value", RejectedFrame.getClassSchema()),
                client.register(TOPICS.flightStats() + "-value", FlightStats.getClassSchema()),
                client.register("hostile-unrelated-value", HostileCorpus.unrelatedSchema())
            };
            HostileCorpus generator = new HostileCorpus(SEED, base, client, TOPICS.frames(), others);
            List<Entry> corpus = generator.generate(10);
            long mutated = corpus.stream().filter(e -> e.kind() != Kind.GOOD).count();
            assertTrue(mutated >= 1000, "at least 1,000 mutated frames: " + mutated);

            Map<String, String> settings = Map.of(
                    "skypack.frame.max.bytes", Long.toString(MAX_BYTES),
                    "skypack.frame.max.pixels", Long.toString(MAX_PIXELS),
                    "skypack.batch.latency.ms", "200");
            try (InProcessDetector app = InProcessDetector.start("replay", broker, registry.url(), settings, d -> d);
                    KafkaProducer<byte[], byte[]> producer = ReliabilityHarness.rawProducer(broker.bootstrapServers());
                    OutputReader output = new OutputReader(broker.bootstrapServers(), client, PARTITIONS)) {
                app.awaitRunning(Duration.ofSeconds(120));
                // Each record's timestamp is unique: the pipeline carries it to the record's one outcome.
                long stamp0 = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
                List<Future<RecordMetadata>> sent = new ArrayList<>();
                for (int i = 0; i < corpus.size(); i++) {
                    Entry e = corpus.get(i);
                    sent.add(
                            producer.send(new ProducerRecord<>(TOPICS.frames(), null, stamp0 + i, e.key(), e.value())));
                }
                producer.flush();
                List<RecordMetadata> meta = new ArrayList<>();
                for (Future<RecordMetadata> f : sent) meta.add(f.get());
                Runnable alive = () -> {
                    if (!app.threadFailures().isEmpty()) {
                        fail("a stream thread died: " + app.threadFailures());
                    }
                    KafkaStreams.State s = app.state();
                    if (s == KafkaStreams.State.ERROR || s == KafkaStreams.State.NOT_RUNNING) fail("application " + s);
                };
                output.await(corpus.size(), Duration.ofSeconds(120), alive);

                // The application is still up and still works: one more good frame comes out.
                long lastStamp = stamp0 + corpus.size();
                Entry last = generator.good(0);
                producer.send(new ProducerRecord<>(TOPICS.frames(), null, lastStamp, last.key(), last.value()))
                        .get();
                output.await(corpus.size() + 1, Duration.ofSeconds(60), alive);
                List<Output> all = output.drain(Duration.ofSeconds(3));
                double seconds = (System.nanoTime() - t0) / 1e9;

                Map<Long, List<Output>> byStamp = new HashMap<>();
                for (Output o : all)
                    byStamp.computeIfAbsent(o.timestamp(), k -> new ArrayList<>())
                            .add(o);
                List<Output> lastOut = byStamp.remove(lastStamp);
                assertNotNull(lastOut, "the last good frame came out");
                assertEquals(1, lastOut.size());
                assertFalse(lastOut.get(0).isDeadLetter(), "the last good frame was processed");

                Map<Kind, int[]> counts = new EnumMap<>(Kind.class); // in, processed, dead-lettered, skipped
                Map<Kind, Map<String, Integer>> reasons = new EnumMap<>(Kind.class);
                List<String> problems = new ArrayList<>();
                for (int i = 0; i < corpus.size(); i++) {
                    Entry e = corpus.get(i);
                    int[] c = counts.computeIfAbsent(e.kind(), k -> new int[4]);
                    c[0]++;
                    List<Output> outs = byStamp.remove(stamp0 + i);
                    if (outs == null || outs.size() != 1) {
                        problems.add("record " + i + " (" + e.kind() + ", " + meta.get(i) + "): "
                                + (outs == null ? 0 : outs.size()) + " outcomes");
                        continue;
                    }
                    Output o = outs.get(0);
                    if (o.isDeadLetter()) {
                        c[2]++;
                        RejectedFrame r = o.rejected();
                        reasons.computeIfAbsent(e.kind(), k -> new TreeMap<>())
                                .merge(r.getReasonCode().name(), 1, Integer::sum);
                        if (r.getMessage().isBlank()) problems.add("record " + i + ": dead letter without a message");
                        if (r.getSourcePartition() != meta.get(i).partition()
                                || r.getSourceOffset() != meta.get(i).offset()
                                || !r.getSourceTopic().equals(TOPICS.frames())) {
                            problems.add("record " + i + ": dead letter names " + r.getSourceTopic() + "-"
                                    + r.getSourcePartition() + "@" + r.getSourceOffset() + ", sent to " + meta.get(i));
                        }
                        if (r.getReasonCode() != io.skypack.schema.RejectReason.INFERENCE_FAILED) {
                            // Rejected on decode: the original bytes, as sent.
                            byte[] kept =
                                    r.getOriginalValue() == null ? null : HostileCorpus.bytes(r.getOriginalValue());
                            boolean cut = r.getMessage().contains("[original value cut to ");
                            boolean same = e.value() == null
                                    ? kept == null
                                    : kept != null
                                            && (cut ? kept.length < e.value().length : kept.length == e.value().length)
                                            && java.util.Arrays.equals(e.value(), 0, kept.length, kept, 0, kept.length);
                            if (!same) {
                                problems.add("record " + i + ": dead letter does not carry the original bytes");
                            }
                        }
                        if (e.kind().expect == Expect.PROCESSED) {
                            problems.add("record " + i + " (" + e.kind() + ") dead-lettered: " + r.getReasonCode() + " "
                                    + r.getMessage());
                        }
                    } else if (o.detections().getStats().getSkipped()) {
                        c[3]++;
                    } else {
                        c[1]++;
                        if (e.kind().expect == Expect.DEAD_LETTERED) {
                            problems.add("record " + i + " (" + e.kind() + ") was processed, not dead-lettered");
                        }
                    }
                }
                if (!byStamp.isEmpty()) problems.add("output records of no input: " + byStamp.keySet());

                String table = table(counts, reasons, corpus.size(), all.size() - 1, seconds);
                System.out.println("HostileInputIT\n" + table);
                assertEquals(List.of(), problems, table);
                int[] total = new int[4];
                for (int[] c : counts.values()) for (int k = 0; k < 4; k++) total[k] += c[k];
                assertEquals(total[0], total[1] + total[2] + total[3], "in = out + dead-lettered + skipped");
                assertEquals(corpus.size(), total[0]);
                assertEquals(List.of(), app.threadFailures(), "no stream thread died");
                assertEquals(KafkaStreams.State.RUNNING, app.state());
            }
        }
    }

    private static String table(
            Map<Kind, int[]> counts, Map<Kind, Map<String, Integer>> reasons, int in, int out, double seconds) {
        StringBuilder sb = new StringBuilder();
        sb.append("| kind | in | processed | dead-lettered | skipped | dead-letter reasons |\n");
        sb.append("|---|---:|---:|---:|---:|---|\n");
        int[] total = new int[4];
        for (var e : counts.entrySet()) {
            int[] c = e.getValue();
            for (int k = 0; k < 4; k++) total[k] += c[k];
            sb.append(String.format(
                    Locale.ROOT,
                    "| %s | %d | %d | %d | %d | %s |%n",
                    e.getKey().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                    c[0],
                    c[1],
                    c[2],
                    c[3],
                    reasons.getOrDefault(e.getKey(), Map.of()).toString().replaceAll("[{}]", "")));
        }
        sb.append(String.format(
                Locale.ROOT, "| **total** | %d | %d | %d | %d | |%n", total[0], total[1], total[2], total[3]));
        sb.append(String.format(
                Locale.ROOT,
                "%d records in, %d output records (read_committed) + the last good frame's; %.0f s in all%n",
                in,
                out,
                seconds));
        return sb.toString();
    }
}
