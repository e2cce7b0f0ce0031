package io.skypack.app;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.skypack.detect.Detector;
import io.skypack.embedded.LocalKafkaBroker;
import io.skypack.ingest.FlightSource;
import io.skypack.registry.AvroDeserializer;
import io.skypack.registry.SchemaRegistryClient;
import io.skypack.registry.SchemaRegistryConfig;
import io.skypack.schema.Frame;
import io.skypack.schema.FrameDetections;
import io.skypack.schema.RejectedFrame;
import io.skypack.stream.SkypackTopology;
import io.skypack.train.synth.FlightWriter;
import io.skypack.train.synth.SynthConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * What the reliability ITs ({@code CrashRecoveryIT}, {@code HostileInputIT}, {@code RegistryOutageIT},
 * {@code DetectorFailureIT}) share: the broker with the pipeline's topics, registry clients, small
 * synthetic flights, the detector application in this JVM, and a {@code read_committed} reader of the
 * output topics that decodes every record with the schema its topic promises.
 */
final class ReliabilityHarness {
    static final SkypackTopology.Topics TOPICS = SkypackTopology.Topics.DEFAULT;

    private ReliabilityHarness() {}

    /**
     * The in-process KRaft broker with the pipeline's four topics. The coordinator looks for timed-out
     * transactions every 10 s by default; a killed detector's open transaction blocks read_committed
     * readers (and the restarted detector's offset fetch) until it is aborted, so look every second.
     */
    static LocalKafkaBroker startBroker(int partitions) throws IOException {
        LocalKafkaBroker broker = LocalKafkaBroker.start(
                Map.of("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000"),
                LocalKafkaBroker.DEFAULT_STARTUP_TIMEOUT);
        broker.createTopics(
                partitions, TOPICS.frames(), TOPICS.detections(), TOPICS.flightStats(), TOPICS.deadLetters());
        return broker;
    }

    static SchemaRegistryClient registryClient(String url) {
        return new SchemaRegistryClient(SchemaRegistryConfig.builder(url).build());
    }

    /** The flights of {@code synth}, generated in a scratch folder (deleted again) and read back as frames. */
    static List<List<Frame>> syntheticFlights(SynthConfig synth) throws IOException {
        Path root = Files.createTempDirectory("skypack-it-flights");
        try {
            List<List<Frame>> flights = new ArrayList<>();
            for (FlightWriter.FlightSummary f : new FlightWriter(synth, root, false).writeAll(s -> {})) {
                List<Frame> flight = new ArrayList<>();
                try (FlightSource source = FlightSource.open(root, f.name(), synth.fps(), Instant.now())) {
                    source.forEach(flight::add);
                }
                flights.add(flight);
            }
            return flights;
        } finally {
            deleteRecursively(root);
        }
    }

    /** {@code target/<it>/<scenario>}, emptied. */
    static Path freshDir(String it, String scenario) throws IOException {
        Path dir = Path.of("target", it, scenario);
        deleteRecursively(dir);
        return Files.createDirectories(dir);
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /** A producer of raw bytes: what a misbehaving or hostile client can put on the frames topic. */
    static KafkaProducer<byte[], byte[]> rawProducer(String bootstrap) {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true,
                        // The broker decides what is too large (message.max.bytes, 1 MiB by default).
                        ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                        2 << 20),
                new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    /**
     * The detector application ({@link DetectorRuntime}, as {@code skypack detect} runs it) in this JVM,
     * so a test can wrap its detector and watch its state. A failed stream thread is recorded and
     * replaced, as the command does.
     */
    static final class InProcessDetector implements AutoCloseable {
        private final DetectorRuntime runtime;
        private final Path stateDir;
        private final List<Throwable> threadFailures = new CopyOnWriteArrayList<>();

        private InProcessDetector(DetectorRuntime runtime, Path stateDir) {
            this.runtime = runtime;
            this.stateDir = stateDir;
        }

        /**
         * @param settings over the profile, as {@code --set}; the broker, the registry and a fresh state
         *     folder are set here
         */
        static InProcessDetector start(
                String profile,
                LocalKafkaBroker broker,
                String registryUrl,
                Map<String, String> settings,
                UnaryOperator<Detector> decorate)
                throws IOException {
            Map<String, String> overrides = new HashMap<>(PipelineConfig.local(broker.bootstrapServers(), registryUrl));
            overrides.putAll(settings);
            PipelineConfig cfg = PipelineConfig.load(profile, null, Map.of(), overrides);
            DetectorRuntime runtime = DetectorRuntime.create(cfg, decorate);
            InProcessDetector d = new InProcessDetector(runtime, Path.of(overrides.get("state.dir")));
            runtime.streams().setUncaughtExceptionHandler(e -> {
                d.threadFailures.add(e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            });
            runtime.start();
            return d;
        }

        KafkaStreams.State state() {
            return runtime.streams().state();
        }

        /** Exceptions that ended a stream thread (each thread was replaced). */
        List<Throwable> threadFailures() {
            return List.copyOf(threadFailures);
        }

        void awaitRunning(Duration timeout) throws InterruptedException {
            long end = System.nanoTime() + timeout.toNanos();
            while (state() != KafkaStreams.State.RUNNING) {
                assertTrue(System.nanoTime() < end, "the application is not RUNNING after " + timeout + ": " + state());
                Thread.sleep(100);
            }
        }

        @Override
        public void close() {
            runtime.close();
            try {
                deleteRecursively(stateDir);
            } catch (IOException e) {
                System.err.println("could not delete " + stateDir + ": " + e);
            }
        }
    }

    /**
     * One output record, decoded: exactly one of {@code detections} and {@code rejected} is set; {@code
     * schemaId} is the writer schema id of its wire-format header.
     */
    record Output(
            String topic,
            int partition,
            long offset,
            long timestamp,
            String key,
            int schemaId,
            FrameDetections detections,
            RejectedFrame rejected) {
        boolean isDeadLetter() {
            return rejected != null;
        }
    }

    /**
     * A reader of {@code uav.detections} and {@code uav.frames.dlq} from their beginning, by partition
     * assignment (no consumer group). Every record is decoded with the schema of its topic through the
     * registry; a record that does not decode fails the test (it would be mis-encoded).
     */
    static final class OutputReader implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final AvroDeserializer<FrameDetections> detections;
        private final AvroDeserializer<RejectedFrame> rejected;
        private final List<Output> all = new ArrayList<>();

        OutputReader(String bootstrap, SchemaRegistryClient client, int partitions) {
            consumer = OutputConsumers.open(bootstrap, "read_committed");
            List<TopicPartition> parts = new ArrayList<>();
            for (String t : List.of(TOPICS.detections(), TOPICS.deadLetters())) {
                for (int p = 0; p < partitions; p++) parts.add(new TopicPartition(t, p));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            detections = AvroDeserializer.forType(FrameDetections.class, client);
            rejected = AvroDeserializer.forType(RejectedFrame.class, client);
        }

        /** Reads what has been committed since the last call; returns the records read by this call. */
        List<Output> poll(Duration timeout) {
            List<Output> got = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> r : consumer.poll(timeout)) {
                boolean dlq = r.topic().equals(TOPICS.deadLetters());
                got.add(new Output(
                        r.topic(),
                        r.partition(),
                        r.offset(),
                        r.timestamp(),
                        r.key(),
                        java.nio.ByteBuffer.wrap(r.value(), 1, 4).getInt(),
                        dlq ? null : detections.deserialize(r.topic(), r.value()),
                        dlq ? rejected.deserialize(r.topic(), r.value()) : null));
            }
            all.addAll(got);
            return got;
        }

        /** Every record read so far. */
        List<Output> all() {
            return List.copyOf(all);
        }

        /**
         * Reads until {@code n} records have come, failing when none has come for {@code quiet}; {@code
         * check} runs between polls (e.g. to fail early when the application died).
         */
        List<Output> await(int n, Duration quiet, Runnable check) {
            long last = System.nanoTime();
            while (all.size() < n) {
                check.run();
                if (!poll(Duration.ofMillis(200)).isEmpty()) {
                    last = System.nanoTime();
                } else if (System.nanoTime() - last > quiet.toNanos()) {
                    fail("no new output for " + quiet.toSeconds() + " s: " + all.size() + " of " + n + " records");
                }
            }
            return all();
        }

        /** Keeps reading for {@code time}, so that a duplicate committed late would show. */
        List<Output> drain(Duration time) {
            long end = System.nanoTime() + time.toNanos();
            while (System.nanoTime() < end) poll(Duration.ofMillis(200));
            return all();
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
