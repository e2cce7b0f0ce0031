package io.skypack.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.skypack.embedded.LocalKafkaBroker;
import io.skypack.embedded.LocalSchemaRegistry;
import io.skypack.registry.AvroDeserializer;
import io.skypack.registry.SchemaRegistryClient;
import io.skypack.schema.Frame;
import io.skypack.schema.FrameDetections;
import io.skypack.schema.RejectReason;
import io.skypack.schema.RejectedFrame;
import io.skypack.stream.SkypackTopology;
import io.skypack.train.synth.SynthConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * "No frame lost, none duplicated" under faults, on real components: the in-process KRaft broker,
 * Apicurio in a child JVM, and {@code skypack detect} with the replay profile ({@code exactly_once_v2})
 * and the bundled model in a child JVM of its own. Two flights of small synthetic frames (one of them
 * corrupt) are replayed onto {@code uav.frames} while the detector runs; then
 *
 * <ul>
 *   <li>the detector is killed with SIGKILL at several points (during start-up, and at seeded moments
 *       after a number of results have been committed) and started again each time;
 *   <li>or the broker is stopped and started again on the same ports and log directory while the
 *       detector keeps running, and nobody helps it.
 * </ul>
 *
 * Afterwards {@code uav.detections}, read with {@code isolation.level=read_committed} once no transaction
 * is open, holds exactly one record per good input frame, per flight in frame order, and the dead-letter
 * topic exactly one record, for the corrupt frame: frames in = results out + dead-lettered.
 *
 * <p>Logs of every detector run are kept in {@code target/crash-recovery-it/<scenario>/}.
 */
class CrashRecoveryIT {
    private static final long SEED = 7_202_506L;
    private static final int FLIGHTS = 2;
    private static final int FRAMES_PER_FLIGHT = 20;
    /** Flight 1, frame 9 carries garbage instead of a JPEG: it must come out on the dead-letter topic. */
    private static final int CORRUPT_FLIGHT = 1, CORRUPT_FRAME = 9;

    private static final SkypackTopology.Topics TOPICS = ReliabilityHarness.TOPICS;
    private static final int PARTITIONS = 2;
    /** Longest wait for the next result before a scenario gives up (a loaded 2-core machine). */
    private static final Duration PROGRESS_TIMEOUT = Duration.ofSeconds(120);

    /** What a detector run logs when it finds frames in the batcher's store, and batches in the in-flight store. */
    private static final String BUFFER_RESTORED = "restored from store " + SkypackTopology.BATCH_STORE,
            IN_FLIGHT_RESTORED = "restored from store " + SkypackTopology.IN_FLIGHT_STORE;

    private static LocalSchemaRegistry registry;
    /** Every input frame in send order (the flights interleaved), the corrupt one included. */
    private static List<Frame> frames;

    private static Frame corrupt;

    @BeforeAll
    static void startRegistryAndGenerateFlights() throws IOException {
        registry = LocalSchemaRegistry.start();
        // Small frames: the model letterboxes to its input anyway, and the decode stays cheap.
        List<List<Frame>> flights = ReliabilityHarness.syntheticFlights(
                new SynthConfig(320, 192, FRAMES_PER_FLIGHT, FLIGHTS, 2.0, 40, 110, 1.0, 1.0, 0, 0.9, SEED));
        Frame good = flights.get(CORRUPT_FLIGHT).get(CORRUPT_FRAME);
        byte[] junk = new byte[2048];
        new Random(SEED).nextBytes(junk);
        junk[0] = (byte) 0xff;
        junk[1] = (byte) 0xd8; // a JPEG start marker, then nothing a decoder can use
        corrupt = Frame.newBuilder(good).setImage(ByteBuffer.wrap(junk)).build();
        flights.get(CORRUPT_FLIGHT).set(CORRUPT_FRAME, corrupt);
        frames = new ArrayList<>();
        for (int i = 0; i < FRAMES_PER_FLIGHT; i++) {
            for (List<Frame> flight : flights) frames.add(flight.get(i));
        }
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) registry.close();
    }

    @Test
    void shouldWriteExactlyOneResultPerFrameWhenTheDetectorIsKilledAndRestarted() throws Exception {
        Random random = new Random(SEED);
        List<KillPoint> plan = List.of(
                new KillPoint(When.STARTING, 0, 2_000 + random.nextInt(4_000)),
                new KillPoint(When.AFTER_RESULTS, 1, random.nextInt(1_500)),
                new KillPoint(When.OPEN_TRANSACTION, 1, 0),
                new KillPoint(When.AFTER_RESULTS, 3, random.nextInt(1_500)),
                new KillPoint(When.OPEN_TRANSACTION, 1, 0),
                new KillPoint(When.STARTING, 0, 4_000 + random.nextInt(4_000)));
        KillRun run = killAndRestart("kill-9", "replay", List.of(), plan);
        assertExactlyOnce(run.output().committed(), run.summary());
        assertTrue(run.kills() >= 5, run.summary());
    }

    /**
     * The live profile under the same kills. It once ran {@code at_least_once}, and lost frames: the
     * batcher's deletes reached its changelog while the batch was still in inference, before its results
     * were written, while the frames' input offsets had been committed as they sat buffered (4 of 40
     * frames lost in 8 kills with replay batching). Live now runs {@code exactly_once_v2} with a 100 ms
     * commit interval and {@link PipelineConfig} refuses any other guarantee. Frames that wait while the
     * detector is down come out as skipped (stale), still one record each.
     */
    @Test
    void shouldWriteExactlyOneResultPerFrameInTheLiveProfileWhenTheDetectorIsKilled() throws Exception {
        Random random = new Random(SEED + 1);
        List<KillPoint> plan = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            plan.add(new KillPoint(When.AFTER_RESULTS, 1 + random.nextInt(2), random.nextInt(1_500)));
        }
        KillRun run = killAndRestart("kill-9-live", "live", List.of(), plan);
        assertExactlyOnce(run.output().committed(), run.summary());
        assertTrue(run.kills() >= 5, run.summary());
    }

    /** What a kill-and-restart scenario saw: the settled output, a summary, and how many kills. */
    private record KillRun(Settled output, String summary, int kills) {}

    /**
     * Replays the flights while {@code skypack detect --profile PROFILE} runs in a child JVM that is
     * killed at each point of {@code plan} and started again; a last run finishes the replay and is
     * stopped with SIGTERM. Every run keeps its log in {@code target/crash-recovery-it/SCENARIO/}.
     */
    private static KillRun killAndRestart(String scenario, String profile, List<String> settings, List<KillPoint> plan)
            throws Exception {
        Path dir = freshDir(scenario);
        long t0 = System.nanoTime();
        try (LocalKafkaBroker broker = startBroker();
                CommittedOutput output = new CommittedOutput(broker.bootstrapServers());
                OutputEnds ends = new OutputEnds(broker.bootstrapServers());
                // Never more than 6 frames ahead of the committed output: every run, the last included,
                // has frames to work on, and batches close on the latency budget with frames waiting in
                // the batcher's store across commits.
                Replay replay = new Replay(broker, Duration.ofMillis(250), 6, output::framesOut)) {
            List<String> kills = new ArrayList<>();
            long restores = 0, inFlightRestores = 0;
            int run = 0;
            DetectorProcess child = null;
            try {
                for (KillPoint k : plan) {
                    child = startDetector(broker, profile, settings, dir, ++run);
                    if (run == 1) replay.start();
                    int before = output.framesOut();
                    String at = awaitKillPoint(k, child, output, ends, replay, before);
                    output.poll();
                    String state = child.lastState();
                    child.kill();
                    kills.add(String.format(
                            Locale.ROOT,
                            "run %d killed %.1f s after its start, %s, in state %s, %d frames out (%d by this run)",
                            run,
                            child.age().toMillis() / 1000.0,
                            at,
                            state,
                            output.framesOut(),
                            output.framesOut() - before));
                    restores += child.count(BUFFER_RESTORED);
                    inFlightRestores += child.count(IN_FLIGHT_RESTORED);
                    child.close();
                    child = null;
                }
                child = startDetector(broker, profile, settings, dir, ++run);
                awaitResults(child, output, replay, frames.size());
                restores += child.count(BUFFER_RESTORED);
                inFlightRestores += child.count(IN_FLIGHT_RESTORED);
                stop(child);
                child = null;
            } finally {
                if (child != null) child.close();
            }
            replay.await();
            Settled out = CommittedOutput.readAllOnceSettled(broker.bootstrapServers(), registryClient());
            String summary = summary(scenario + " (" + profile + " profile)", out, t0)
                    + String.format(
                            Locale.ROOT,
                            "%n  %d kills, %d runs; a run restored buffered frames from the batcher's store %d time(s),"
                                    + " batches that were in inference from the in-flight store %d time(s)%n  %s",
                            kills.size(),
                            run,
                            restores,
                            inFlightRestores,
                            String.join("\n  ", kills));
            System.out.println("CrashRecoveryIT " + summary);
            return new KillRun(out, summary, kills.size());
        }
    }

    /**
     * Waits for a kill point of the run {@code child}, which started with {@code before} results
     * committed; says where it landed.
     */
    private static String awaitKillPoint(
            KillPoint k, DetectorProcess child, CommittedOutput output, OutputEnds ends, Replay replay, int before)
            throws InterruptedException {
        switch (k.when()) {
            case STARTING -> {
                idle(child, output, replay, Duration.ofMillis(k.delayMs()));
                return "during start-up (" + k.delayMs() + " ms)";
            }
            case AFTER_RESULTS -> {
                int target = Math.min(frames.size(), before + k.results());
                awaitResults(child, output, replay, target);
                idle(child, output, replay, Duration.ofMillis(k.delayMs()));
                return k.delayMs() + " ms after its result #" + k.results();
            }
            case OPEN_TRANSACTION -> {
                awaitResults(child, output, replay, Math.min(frames.size(), before + k.results()));
                return awaitOpenTransaction(child, output, ends, replay);
            }
        }
        throw new AssertionError(k);
    }

    /**
     * Waits until output records of a transaction the detector has not committed yet are in the log,
     * and says where. Call it once the current run has committed something: anything past the high
     * watermark then that is not below the last stable offset belongs to a transaction of this run.
     */
    private static String awaitOpenTransaction(
            DetectorProcess child, CommittedOutput output, OutputEnds ends, Replay replay) throws InterruptedException {
        Map<TopicPartition, Long> mark = ends.high();
        long end = System.nanoTime() + PROGRESS_TIMEOUT.toNanos();
        while (System.nanoTime() < end && output.framesOut() < frames.size()) {
            if (!child.isAlive()) fail("the detector exited by itself; its last lines:\n" + child.tail(40));
            replay.check();
            Map<TopicPartition, Long> high = ends.high(), stable = ends.stable();
            for (var e : high.entrySet()) {
                long h = e.getValue();
                if (h > mark.get(e.getKey()) && h > stable.get(e.getKey())) {
                    return "with output in an open transaction (" + e.getKey() + ": last stable offset "
                            + stable.get(e.getKey()) + ", high watermark " + h + ")";
                }
            }
            output.poll(Duration.ofMillis(10));
        }
        return "with no open transaction seen (all results out)";
    }

    @Test
    void shouldRecoverWithoutHelpWhenTheBrokerRestartsMidReplay() throws Exception {
        Path dir = freshDir("broker-restart");
        long t0 = System.nanoTime();
        try (LocalKafkaBroker broker = startBroker();
                Replay replay = new Replay(broker, Duration.ofMillis(400), Integer.MAX_VALUE, () -> 0);
                CommittedOutput output = new CommittedOutput(broker.bootstrapServers());
                OutputEnds ends = new OutputEnds(broker.bootstrapServers());
                DetectorProcess child = startDetector(broker, "replay", List.of(), dir, 1)) {
            replay.start();
            awaitResults(child, output, replay, 12);
            // The hardest moment: results of a batch written, its transaction not committed yet.
            String at = awaitOpenTransaction(child, output, ends, replay);
            int before = output.framesOut(), sentBefore = replay.sent();
            long r0 = System.nanoTime();
            broker.restart(Duration.ofSeconds(3));
            double restartSeconds = (System.nanoTime() - r0) / 1e9;
            awaitResults(child, output, replay, frames.size());
            assertTrue(child.isAlive(), "the detector is still the first one");
            stop(child);
            replay.await();
            Settled out = CommittedOutput.readAllOnceSettled(broker.bootstrapServers(), registryClient());
            List<Result> all = out.committed();
            String summary = summary("broker restart", out, t0)
                    + String.format(
                            Locale.ROOT,
                            "%n  broker stopped %s, down and up again in %.1f s, with %d frames out and %d of %d sent",
                            at,
                            restartSeconds,
                            before,
                            sentBefore,
                            frames.size());
            System.out.println("CrashRecoveryIT " + summary);
            assertTrue(sentBefore < frames.size(), "the broker restarted in the middle of the replay: " + summary);
            assertExactlyOnce(all, summary);
        }
    }

    // ---------------------------------------------------------------------------------------------

    private enum When {
        /** {@code delayMs} after the start: loading the model, joining the group, restoring the stores. */
        STARTING,
        /** {@code delayMs} after the run has committed {@code results} results: inference, or frames buffered. */
        AFTER_RESULTS,
        /**
         * After the run has committed {@code results} results, as soon as output records of a transaction
         * not yet committed are in the log: the moment a duplicate would be born.
         */
        OPEN_TRANSACTION
    }

    private record KillPoint(When when, int results, long delayMs) {}

    /** One committed output record: a detections record or a dead letter, with the frame it stands for. */
    record Result(String topic, int partition, long offset, String flightId, long frameIndex, String reason) {}

    /** The whole committed output, and how many output records aborted transactions hold. */
    record Settled(List<Result> committed, long aborted) {}

    private static LocalKafkaBroker startBroker() throws IOException {
        return ReliabilityHarness.startBroker(PARTITIONS);
    }

    /** @param settings {@code KEY=VALUE} over the profile, each passed as {@code --set} */
    private static DetectorProcess startDetector(
            LocalKafkaBroker broker, String profile, List<String> settings, Path dir, int run) throws IOException {
        // The same state folder for every run, as a restarted process on the same host has.
        List<String> args = DetectorProcess.restartableArgs(
                broker.bootstrapServers(), registry.url(), profile, dir.resolve("state"), settings);
        return DetectorProcess.start(dir.resolve("detector-" + run + ".log"), args);
    }

    /**
     * SIGTERM, as an operator's stop, once Kafka Streams runs: the detector closes it cleanly (commits,
     * closes its tasks) and exits.
     */
    private static void stop(DetectorProcess child) throws InterruptedException {
        long end = System.nanoTime() + PROGRESS_TIMEOUT.toNanos();
        while (!child.lastState().equals("RUNNING")) {
            assertTrue(child.isAlive(), () -> "the detector exited by itself; its last lines:\n" + child.tail(40));
            assertTrue(System.nanoTime() < end, () -> "the detector is not running; log:\n" + child.tail(40));
            Thread.sleep(100);
        }
        var code = child.terminate(Duration.ofSeconds(90));
        assertTrue(code.isPresent(), () -> "the detector did not stop within 90 s of SIGTERM; log:\n" + child.tail(40));
        assertEquals(
                1,
                child.count("streams PENDING_SHUTDOWN -> NOT_RUNNING"),
                () -> "the JVM exited before Kafka Streams closed; log " + child.log() + ":\n" + child.tail(20));
    }

    private static void awaitResults(DetectorProcess child, CommittedOutput output, Replay replay, int n)
            throws InterruptedException {
        long lastProgress = System.nanoTime();
        int last = output.framesOut();
        while (output.framesOut() < n) {
            output.poll();
            replay.check();
            if (!child.isAlive()) {
                fail("the detector exited by itself (" + child.log() + ") with " + output.framesOut() + " of " + n
                        + " results; its last lines:\n" + child.tail(40));
            }
            if (output.framesOut() != last) {
                last = output.framesOut();
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > PROGRESS_TIMEOUT.toNanos()) {
                fail("no new result for " + PROGRESS_TIMEOUT.toSeconds() + " s: " + last + " of " + n
                        + " results, detector state " + child.lastState() + ", " + replay.sent() + " frames sent; "
                        + output.gaps() + "; log " + child.log() + ":\n" + child.tail(40));
            }
        }
    }

    /** Reads the output for {@code time}, failing if the detector exits by itself meanwhile. */
    private static void idle(DetectorProcess child, CommittedOutput output, Replay replay, Duration time)
            throws InterruptedException {
        long end = System.nanoTime() + time.toNanos();
        while (System.nanoTime() < end) {
            if (!child.isAlive()) {
                fail("the detector exited by itself; its last lines:\n" + child.tail(40));
            }
            replay.check();
            output.poll(Duration.ofMillis(Math.max(1, Math.min(100, (end - System.nanoTime()) / 1_000_000))));
        }
    }

    private static void assertExactlyOnce(List<Result> all, String summary) {
        Map<String, List<Long>> expected = new TreeMap<>();
        for (Frame f : frames) {
            if (!isCorrupt(f)) {
                expected.computeIfAbsent(f.getFlightId(), k -> new ArrayList<>())
                        .add(f.getFrameIndex());
            }
        }
        Map<String, List<Long>> detected = new TreeMap<>();
        all.stream()
                .filter(r -> r.topic().equals(TOPICS.detections()))
                .sorted(Comparator.comparingInt(Result::partition).thenComparingLong(Result::offset))
                .forEach(r -> detected.computeIfAbsent(r.flightId(), k -> new ArrayList<>())
                        .add(r.frameIndex()));
        // One list per flight in topic order: equal lists mean none missing, none twice, in frame order.
        assertEquals(expected, detected, "frame indices per flight on " + TOPICS.detections() + "; " + summary);
        List<Result> dead =
                all.stream().filter(r -> r.topic().equals(TOPICS.deadLetters())).toList();
        assertEquals(1, dead.size(), "exactly one dead letter; " + summary);
        assertEquals(corrupt.getFlightId(), dead.get(0).flightId(), summary);
        assertEquals(corrupt.getFrameIndex(), dead.get(0).frameIndex(), summary);
        assertEquals(RejectReason.CORRUPT_IMAGE.name(), dead.get(0).reason(), summary);
        assertEquals(frames.size(), all.size(), "frames in = results out + dead-lettered; " + summary);
    }

    private static String summary(String scenario, Settled out, long t0) {
        List<Result> all = out.committed();
        FrameLedger ledger = new FrameLedger();
        for (Frame f : frames) ledger.sent(f.getFlightId(), f.getFrameIndex());
        for (Result r : all) {
            ledger.result(
                    r.flightId(),
                    r.frameIndex(),
                    r.topic().equals(TOPICS.deadLetters())
                            ? FrameLedger.Outcome.DEAD_LETTERED
                            : FrameLedger.Outcome.DETECTED);
        }
        FrameLedger.Tally tally = ledger.tally();
        long duplicates = tally.duplicates();
        long missing = tally.gaps();
        long detections =
                all.stream().filter(r -> r.topic().equals(TOPICS.detections())).count();
        return String.format(
                Locale.ROOT,
                "%s: %d frames in, %d detections records + %d dead-lettered out (read_committed), %d duplicates,"
                        + " %d missing; %d output records in aborted transactions (%.0f s)",
                scenario,
                frames.size(),
                detections,
                all.size() - detections,
                duplicates,
                missing,
                out.aborted(),
                (System.nanoTime() - t0) / 1e9);
    }

    private static boolean isCorrupt(Frame f) {
        return f == corrupt;
    }

    private static SchemaRegistryClient registryClient() {
        return ReliabilityHarness.registryClient(registry.url());
    }

    private static Path freshDir(String scenario) throws IOException {
        return ReliabilityHarness.freshDir("crash-recovery-it", scenario);
    }

    /**
     * The replay: every input frame sent, in order, one every {@code gap} and at most {@code maxAhead}
     * frames ahead of the committed output, by an idempotent producer that waits for each
     * acknowledgement (so a broker restart only delays it).
     */
    private static final class Replay implements AutoCloseable {
        private final KafkaProducer<String, Frame> producer;
        private final Duration gap;
        private final int maxAhead;
        private final java.util.function.IntSupplier results;
        private final AtomicInteger sent = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread thread;

        /** @param results input frames with a committed result so far (read by the replay's thread) */
        Replay(LocalKafkaBroker broker, Duration gap, int maxAhead, java.util.function.IntSupplier results)
                throws IOException {
            Map<String, String> local = new LinkedHashMap<>();
            local.put("bootstrap.servers", broker.bootstrapServers());
            local.put("schema.registry.url", registry.url());
            PipelineConfig cfg = PipelineConfig.load("replay", null, Map.of(), local);
            this.producer = cfg.frameProducer(new SchemaRegistryClient(cfg.registry()));
            this.gap = gap;
            this.maxAhead = maxAhead;
            this.results = results;
            this.thread = new Thread(this::run, "crash-it-replay");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void run() {
            try {
                for (Frame f : frames) {
                    while (sent.get() - results.getAsInt() >= maxAhead) Thread.sleep(20);
                    producer.send(new ProducerRecord<>(TOPICS.frames(), f.getFlightId(), f))
                            .get(120, TimeUnit.SECONDS);
                    sent.incrementAndGet();
                    Thread.sleep(gap.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable e) {
                failure.set(e);
            }
        }

        int sent() {
            return sent.get();
        }

        /** Fails the test when a frame could not be sent. */
        void check() {
            if (failure.get() != null)
                throw new AssertionError("the replay failed after " + sent() + " frames", failure.get());
        }

        void await() throws InterruptedException {
            thread.join(TimeUnit.SECONDS.toMillis(150));
            check();
            assertEquals(frames.size(), sent(), "every frame was sent");
        }

        @Override
        public void close() {
            thread.interrupt();
            producer.close(Duration.ofSeconds(10));
        }
    }

    /** The high watermarks and last stable offsets of the output topics' partitions. */
    private static final class OutputEnds implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> committed, uncommitted;

        OutputEnds(String bootstrap) {
            committed = OutputConsumers.open(bootstrap, "read_committed");
            uncommitted = OutputConsumers.open(bootstrap, "read_uncommitted");
        }

        Map<TopicPartition, Long> high() {
            return uncommitted.endOffsets(CommittedOutput.partitions());
        }

        Map<TopicPartition, Long> stable() {
            return committed.endOffsets(CommittedOutput.partitions());
        }

        @Override
        public void close() {
            committed.close(Duration.ofSeconds(5));
            uncommitted.close(Duration.ofSeconds(5));
        }
    }

    /**
     * A {@code read_committed} reader of the detections and dead-letter topics from their beginning,
     * by partition assignment (no consumer group), decoding each record to the frame it stands for.
     */
    private static final class CommittedOutput implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final AvroDeserializer<FrameDetections> detections;
        private final AvroDeserializer<RejectedFrame> rejected;
        private final AvroDeserializer<Frame> frameReader;
        private final List<Result> results = new ArrayList<>();
        private final java.util.Set<String> framesSeen = new java.util.HashSet<>();
        /** {@code framesSeen.size()}, for other threads. */
        private final AtomicInteger framesOut = new AtomicInteger();

        CommittedOutput(String bootstrap) {
            this(bootstrap, registryClient(), "read_committed");
        }

        private CommittedOutput(String bootstrap, SchemaRegistryClient client, String isolation) {
            consumer = OutputConsumers.open(bootstrap, isolation);
            List<TopicPartition> parts = partitions();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            detections = AvroDeserializer.forType(FrameDetections.class, client);
            rejected = AvroDeserializer.forType(RejectedFrame.class, client);
            frameReader = AvroDeserializer.forType(Frame.class, client);
        }

        private static List<TopicPartition> partitions() {
            List<TopicPartition> parts = new ArrayList<>();
            for (String t : List.of(TOPICS.detections(), TOPICS.deadLetters())) {
                for (int p = 0; p < PARTITIONS; p++) parts.add(new TopicPartition(t, p));
            }
            return parts;
        }

        /** Input frames with at least one result (a detections record or a dead letter) so far. */
        int framesOut() {
            return framesOut.get();
        }

        /** The sent frames with no result so far, and those with more than one. */
        String gaps() {
            Map<String, Integer> seen = new TreeMap<>();
            for (Result r : results) seen.merge(r.flightId() + "#" + r.frameIndex(), 1, Integer::sum);
            List<String> missing = new ArrayList<>();
            for (Frame f : frames) {
                if (!seen.containsKey(f.getFlightId() + "#" + f.getFrameIndex())) {
                    missing.add(f.getFlightId() + "#" + f.getFrameIndex());
                }
            }
            seen.values().removeIf(c -> c < 2);
            return "no result yet for " + missing + ", more than one for " + seen;
        }

        void poll() {
            poll(Duration.ofMillis(100));
        }

        void poll(Duration timeout) {
            int known = results.size();
            for (ConsumerRecord<String, byte[]> r : consumer.poll(timeout)) {
                if (r.topic().equals(TOPICS.detections())) {
                    FrameDetections d = detections.deserialize(r.topic(), r.value());
                    results.add(
                            new Result(r.topic(), r.partition(), r.offset(), d.getFlightId(), d.getFrameIndex(), null));
                } else {
                    RejectedFrame x = rejected.deserialize(r.topic(), r.value());
                    long index = OutcomeReader.frameIndexOf(x, frameReader);
                    results.add(new Result(
                            r.topic(),
                            r.partition(),
                            r.offset(),
                            x.getFlightId(),
                            index,
                            x.getReasonCode().name()));
                }
            }
            for (Result r : results.subList(known, results.size())) framesSeen.add(r.flightId() + "#" + r.frameIndex());
            framesOut.set(framesSeen.size());
        }

        /**
         * Every committed record, read from the beginning once no transaction is open on either topic
         * (the last stable offset has caught up with the high watermark), so an open transaction cannot
         * hide a duplicate from the check. Also counts the records of aborted transactions, which a
         * {@code read_uncommitted} reader sees: the results of killed runs that were never committed.
         */
        static Settled readAllOnceSettled(String bootstrap, SchemaRegistryClient client) throws InterruptedException {
            List<TopicPartition> parts = partitions();
            Map<TopicPartition, Long> stable;
            try (CommittedOutput committed = new CommittedOutput(bootstrap, client, "read_committed");
                    CommittedOutput uncommitted = new CommittedOutput(bootstrap, client, "read_uncommitted")) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (true) {
                    stable = committed.consumer.endOffsets(parts);
                    Map<TopicPartition, Long> high = uncommitted.consumer.endOffsets(parts);
                    if (stable.equals(high)) break;
                    if (System.nanoTime() > deadline) {
                        fail("a transaction is still open on the output 60 s after the detector stopped: "
                                + "last stable offsets " + stable + ", high watermarks " + high);
                    }
                    Thread.sleep(200);
                }
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!(OutputConsumers.reached(committed.consumer, stable)
                                && OutputConsumers.reached(uncommitted.consumer, stable))
                        && System.nanoTime() < until) {
                    committed.poll();
                    uncommitted.poll();
                }
                assertTrue(OutputConsumers.reached(committed.consumer, stable), "read the output up to " + stable);
                assertTrue(OutputConsumers.reached(uncommitted.consumer, stable), "read the output up to " + stable);
                return new Settled(
                        List.copyOf(committed.results), uncommitted.results.size() - committed.results.size());
            }
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
