package io.skypack.app;

import io.skypack.embedded.LocalKafkaBroker;
import io.skypack.embedded.LocalSchemaRegistry;
import io.skypack.ingest.FlightSource;
import io.skypack.registry.SchemaRegistryClient;
import io.skypack.schema.Frame;
import io.skypack.schema.FrameDetections;
import io.skypack.stream.SkypackTopology;
import io.skypack.train.synth.FlightWriter;
import io.skypack.train.synth.SynthConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One soak: the embedded broker and registry, {@code skypack detect} in a child JVM, and synthetic frames
 * sent for {@link Settings#input()} at a multiple of the detector's measured inference speed, with faults
 * injected at seeded moments; then the input stops, the detector drains the backlog, and the committed
 * output is counted with a {@link FrameLedger}. Every second it samples the detector group's lag on the
 * frames topic, the child's heap (from its {@code stats} lines) and its resident memory ({@code /proc}).
 * {@link SoakCommand} and {@code SoakIT} both run it.
 */
final class SoakRun {
    /** Faults the soak can inject. */
    enum Fault {
        /** SIGKILL the detector at seeded moments of the input phase and start it again at once. */
        KILL,
        /** Stop the embedded broker for a few seconds in the middle of the input phase, and start it again. */
        BROKER,
        /** Send every 200th frame of the input phase (seeded offset) with garbage instead of a JPEG: it must be dead-lettered. */
        CORRUPT
    }

    /**
     * @param input how long frames are sent
     * @param profile {@code replay} or {@code live}
     * @param overload input rate as a multiple of the measured inference speed (used when {@code rate} is 0)
     * @param rate input frames per second; 0 measures the inference speed first and uses {@code overload}
     * @param faults the faults to inject
     * @param kills how many SIGKILLs when {@link Fault#KILL} is on
     * @param seed frames, fault moments and corrupt frames
     * @param work folder for the generated flight, the detector's state and its logs (those replaced)
     * @param drainTimeout longest wait after the input phase for every frame's outcome; zero: twice the
     *     time the backlog needs at the measured speed, plus two minutes
     */
    record Settings(
            Duration input,
            String profile,
            double overload,
            double rate,
            Set<Fault> faults,
            int kills,
            long seed,
            Path work,
            Duration drainTimeout) {
        Settings {
            if (input.isNegative() || input.isZero()) throw new IllegalArgumentException("input must be > 0: " + input);
            if (!profile.equals("replay") && !profile.equals("live"))
                throw new IllegalArgumentException("--profile must be replay or live: " + profile);
            if (!(overload > 0)) throw new IllegalArgumentException("--overload must be > 0: " + overload);
            if (!(rate >= 0)) throw new IllegalArgumentException("--rate must be >= 0: " + rate);
            if (kills < 0) throw new IllegalArgumentException("--kills must be >= 0: " + kills);
            faults = Set.copyOf(faults);
        }
    }

    /**
     * One sample of the input phase or the drain, {@code t} seconds after the input started; memory as
     * the detector's latest stats line split it ({@link ProcessMemory.JvmStats}), with its resident set.
     */
    record Sample(
            double t,
            int framesIn,
            int framesWithResult,
            long lag,
            long heapUsedMb,
            long rssMb,
            long heapCommittedMb,
            long nonHeapMb,
            long mallocUsedMb,
            long mallocFreeMb) {}

    /**
     * What a soak measured. Memory is the detector child's: heap from its own stats lines, resident set
     * size from {@code /proc} ({@code peakRssMb} is the largest VmHWM over all of its runs).
     */
    record Report(
            String profile,
            double inferenceFps,
            double inputFps,
            double inputSeconds,
            double drainSeconds,
            boolean drained,
            FrameLedger.Tally tally,
            long corruptFramesSent,
            long sendFailures,
            long peakHeapMb,
            long peakRssMb,
            long rssAfterWarmUpMb,
            long rssAtEndMb,
            long maxLag,
            long lagAtEndOfInput,
            List<String> faults,
            int unexpectedExits,
            List<Sample> samples) {
        /** What fails a soak: a duplicate, a gap, an unbalanced account, a frame not sent, a detector crash, a replay skip. */
        List<String> failures() {
            List<String> f = new ArrayList<>();
            if (tally.duplicates() > 0) f.add(tally.duplicates() + " duplicate result(s)");
            if (tally.gaps() > 0) f.add(tally.gaps() + " frame(s) without a result");
            if (tally.unexpected() > 0) f.add(tally.unexpected() + " result(s) for frames never sent");
            if (!tally.balanced()) f.add("frames in != out + dead-lettered + skipped");
            if (sendFailures > 0) f.add(sendFailures + " frame(s) could not be sent");
            if (unexpectedExits > 0) f.add("the detector exited by itself " + unexpectedExits + " time(s)");
            if (profile.equals("replay") && tally.skipped() > 0) f.add("the replay profile skipped frames");
            if (tally.deadLettered() != corruptFramesSent)
                f.add(tally.deadLettered() + " frame(s) dead-lettered, " + corruptFramesSent + " corrupt one(s) sent");
            return f;
        }
    }

    private static final int FLIGHTS = 2, FRAMES_PER_FLIGHT = 30, PARTITIONS = 2;
    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(1);
    /** The longest the drain may go without a new result before it gives up. */
    private static final Duration STALL = Duration.ofMinutes(3);

    private final Settings settings;
    private final PrintWriter log;
    private final FrameLedger ledger = new FrameLedger();
    private final List<Sample> samples = new ArrayList<>();
    private final List<String> faultsDone = new ArrayList<>();
    private final AtomicLong sendFailures = new AtomicLong();
    /** Memory of the detector child: the latest sample and the peaks over all of its runs. */
    private long lastRssMb = -1, peakHeapMb = -1, peakRssMb = -1;
    /** The detector's latest stats line (its heap, JVM pools and malloc), unknown until the first. */
    private ProcessMemory.JvmStats lastStats = ProcessMemory.JvmStats.UNKNOWN;
    /** When {@link #observe} next samples and next prints progress, milliseconds since the input began. */
    private long nextSampleMs, nextProgressMs;

    private long maxLag = 0;
    private int unexpectedExits;
    private int runs;
    private DetectorProcess detector;

    private SoakRun(Settings settings, PrintWriter log) {
        this.settings = settings;
        this.log = log;
    }

    /** Runs a soak; progress lines go to {@code log}. */
    static Report run(Settings settings, PrintWriter log) throws Exception {
        return new SoakRun(settings, log).run();
    }

    private Report run() throws Exception {
        Path work = settings.work().toAbsolutePath();
        // Only what a previous soak wrote there: the flight and the detector's state.
        deleteRecursively(work.resolve("flight"));
        deleteRecursively(work.resolve("state"));
        Files.createDirectories(work);
        List<List<Frame>> flights = generateFlights(work.resolve("flight"));
        say("starting Kafka (KRaft, in-process) and the schema registry");
        // The coordinator looks for timed-out transactions every 10 s by default; a killed detector's open
        // transaction blocks read_committed readers until it is aborted, so look every second.
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(
                        Map.of("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000"),
                        LocalKafkaBroker.DEFAULT_STARTUP_TIMEOUT);
                LocalSchemaRegistry registryServer = LocalSchemaRegistry.start()) {
            Map<String, String> local = new HashMap<>();
            local.put("bootstrap.servers", broker.bootstrapServers());
            local.put("schema.registry.url", registryServer.url());
            PipelineConfig cfg = PipelineConfig.load(settings.profile(), null, System.getenv(), local);
            SkypackTopology.Topics topics = cfg.topics();
            broker.createTopics(
                    PARTITIONS, topics.frames(), topics.detections(), topics.flightStats(), topics.deadLetters());
            SchemaRegistryClient registry = new SchemaRegistryClient(cfg.registry());
            try (KafkaProducer<String, Frame> producer = cfg.frameProducer(registry);
                    OutcomeReader reader = new OutcomeReader(broker.bootstrapServers(), registry, topics);
                    Admin admin = Admin.create(Map.of(
                            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                            broker.bootstrapServers(),
                            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                            5000,
                            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                            3000))) {
                Lag lag = new Lag(admin, cfg.get("application.id"), topics.frames());
                try {
                    return soak(broker, registryServer.url(), producer, reader, lag, topics, flights);
                } finally {
                    if (detector != null) detector.close();
                }
            }
        }
    }

    private Report soak(
            LocalKafkaBroker broker,
            String registryUrl,
            KafkaProducer<String, Frame> producer,
            OutcomeReader reader,
            Lag lag,
            SkypackTopology.Topics topics,
            List<List<Frame>> flights)
            throws Exception {
        Random random = new Random(settings.seed());
        Sender sender = new Sender(producer, topics.frames(), flights, random.nextLong());
        startDetector(broker, registryUrl);
        awaitRunning();

        // Warm-up: the first batches are slow (PyTorch optimises its graph over the first runs). Then the
        // measurement: the detector's own stage timings (coarse + pack + fine of a batch, over its frames)
        // on rounds of 4 frames sent at once, none of them old enough to be skipped.
        say("warming up the detector");
        for (int round = 0; round < 4; round++) {
            sender.sendNow(4);
            awaitResults(reader, ledger.framesSent(), Duration.ofMinutes(5), d -> {});
        }
        List<Double> perFrameMs = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            sender.sendNow(4);
            awaitResults(reader, ledger.framesSent(), Duration.ofMinutes(5), d -> {
                if (!d.getStats().getSkipped()) {
                    var s = d.getStats();
                    perFrameMs.add(
                            (double) (s.getCoarseMs() + s.getPackMs() + s.getFineMs()) / Math.max(1, s.getBatchSize()));
                }
            });
        }
        double inferenceFps = perFrameMs.isEmpty() ? 0 : 1000.0 / DemoCommand.percentile(perFrameMs, 0.5);
        double inputFps = settings.rate() > 0 ? settings.rate() : settings.overload() * inferenceFps;
        if (!(inputFps > 0)) throw new IllegalStateException("could not measure the inference speed; give --rate");
        long rssAfterWarmUp = detector.memory().map(m -> m.rssKb() >> 10).orElse(-1L);
        say(String.format(
                Locale.ROOT,
                "inference %.2f frames/s (median of %d frames' stage timings); input %.1f frames/s for %d s,"
                        + " profile %s, faults %s",
                inferenceFps,
                perFrameMs.size(),
                inputFps,
                settings.input().toSeconds(),
                settings.profile(),
                settings.faults()));

        // Fault moments: seeded, inside the middle 80% of the input phase.
        long inputMs = settings.input().toMillis();
        List<Long> killAt = new ArrayList<>();
        if (settings.faults().contains(Fault.KILL)) {
            for (int k = 0; k < settings.kills(); k++)
                killAt.add(inputMs / 10 + (long) (random.nextDouble() * inputMs * 0.8));
            killAt.sort(null);
        }
        long brokerAt = settings.faults().contains(Fault.BROKER) ? inputMs / 3 + random.nextLong(inputMs / 3 + 1) : -1;
        sender.corruptEvery(settings.faults().contains(Fault.CORRUPT) ? 200 : 0);

        long t0 = System.nanoTime();
        Thread input = sender.startPaced(inputFps, settings.input());
        while (input.isAlive()) {
            long now = millisSince(t0);
            if (!killAt.isEmpty() && now >= killAt.get(0)) {
                killAt.remove(0);
                kill(broker, registryUrl, now);
            }
            if (brokerAt >= 0 && now >= brokerAt) {
                brokerAt = -1;
                long r0 = System.nanoTime();
                broker.restart(Duration.ofSeconds(3));
                faultsDone.add(String.format(
                        Locale.ROOT,
                        "broker stopped at %.1f s, up again after %.1f s",
                        now / 1000.0,
                        (System.nanoTime() - r0) / 1e9));
            }
            reader.poll(Duration.ofMillis(100), ledger, d -> {});
            observe(now, lag, broker, registryUrl);
        }
        input.join();
        sender.check();
        double inputSeconds = millisSince(t0) / 1000.0;
        long lagAtEnd = sample(lag, millisSince(t0)).lag();
        int in = ledger.framesSent();
        say(String.format(
                Locale.ROOT, "input done: %d frames in %.0f s; lag %d frames; draining", in, inputSeconds, lagAtEnd));

        long d0 = System.nanoTime();
        Duration drainTimeout = settings.drainTimeout().isZero()
                ? Duration.ofSeconds((long) (2 * in / Math.max(0.1, inferenceFps)) + 120)
                : settings.drainTimeout();
        long lastProgress = System.nanoTime();
        int lastOut = ledger.framesWithResult();
        while (ledger.framesWithResult() < in && System.nanoTime() - d0 < drainTimeout.toNanos()) {
            reader.poll(Duration.ofMillis(200), ledger, d -> {});
            observe(millisSince(t0), lag, broker, registryUrl);
            if (ledger.framesWithResult() != lastOut) {
                lastOut = ledger.framesWithResult();
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > STALL.toNanos()) {
                say("no new result for " + STALL.toSeconds() + " s; giving up the drain");
                break;
            }
        }
        double drainSeconds = (System.nanoTime() - d0) / 1e9;
        boolean drained = ledger.framesWithResult() >= in;
        sample(lag, millisSince(t0));
        progress(millisSince(t0));
        long rssAtEnd = lastRssMb;
        stopDetector();
        if (!reader.settle(ledger, Duration.ofSeconds(90))) say("the output did not settle within 90 s");
        FrameLedger.Tally tally = ledger.tally();
        if (!tally.balanced()) say(ledger.problems(10));
        return new Report(
                settings.profile(),
                inferenceFps,
                inputFps,
                inputSeconds,
                drainSeconds,
                drained,
                tally,
                sender.corruptSent,
                sendFailures.get(),
                peakHeapMb,
                peakRssMb,
                rssAfterWarmUp,
                rssAtEnd,
                maxLag,
                lagAtEnd,
                List.copyOf(faultsDone),
                unexpectedExits,
                List.copyOf(samples));
    }

    // ---------------------------------------------------------------------------------------------
    // The detector child

    private void startDetector(LocalKafkaBroker broker, String registryUrl) throws IOException {
        Path work = settings.work().toAbsolutePath();
        List<String> args = DetectorProcess.restartableArgs(
                broker.bootstrapServers(), registryUrl, settings.profile(), work.resolve("state"), List.of());
        args.addAll(List.of("--stats-interval", "1"));
        detector = DetectorProcess.start(work.resolve("detector-" + (++runs) + ".log"), args);
    }

    private void awaitRunning() throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!detector.lastState().equals("RUNNING")) {
            if (!detector.isAlive())
                throw new IllegalStateException(
                        "the detector exited while starting; its log " + detector.log() + ":\n" + detector.tail(30));
            if (System.nanoTime() > end)
                throw new IllegalStateException("the detector did not start in 3 min; its log " + detector.log());
            Thread.sleep(100);
        }
    }

    private void kill(LocalKafkaBroker broker, String registryUrl, long nowMs) throws Exception {
        readMemory();
        String state = detector.lastState();
        detector.kill();
        faultsDone.add(String.format(
                Locale.ROOT,
                "detector run %d SIGKILLed at %.1f s, in state %s, %d frames with a result",
                runs,
                nowMs / 1000.0,
                state,
                ledger.framesWithResult()));
        detector.close();
        startDetector(broker, registryUrl);
    }

    /** A detector that exited by itself is counted (the soak fails) and started again. */
    /** After every poll, input or drain: a sample every second, a progress line every 10 s, a look at the detector. */
    private void observe(long nowMs, Lag lag, LocalKafkaBroker broker, String registryUrl) throws IOException {
        if (nowMs >= nextSampleMs) {
            sample(lag, nowMs);
            nextSampleMs = nowMs + SAMPLE_EVERY.toMillis();
        }
        if (nowMs >= nextProgressMs) {
            progress(nowMs);
            nextProgressMs = nowMs + 10_000;
        }
        checkDetector(broker, registryUrl);
    }

    private void checkDetector(LocalKafkaBroker broker, String registryUrl) throws IOException {
        if (detector.isAlive()) return;
        unexpectedExits++;
        say("the detector exited by itself; log " + detector.log() + ":\n" + detector.tail(20));
        startDetector(broker, registryUrl);
    }

    private void stopDetector() throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (detector.isAlive() && !detector.lastState().equals("RUNNING") && System.nanoTime() < end) {
            Thread.sleep(100);
        }
        readMemory();
        if (detector.terminate(Duration.ofSeconds(90)).isEmpty()) {
            say("the detector did not stop within 90 s of SIGTERM; killed");
        }
        detector.close();
    }

    // ---------------------------------------------------------------------------------------------
    // Sampling

    private Sample sample(Lag lag, long nowMs) {
        readMemory();
        long l = lag.frames();
        if (l >= 0) maxLag = Math.max(maxLag, l);
        Sample s = new Sample(
                nowMs / 1000.0,
                ledger.framesSent(),
                ledger.framesWithResult(),
                l,
                lastStats.heapUsedMb(),
                lastRssMb,
                lastStats.heapCommittedMb(),
                lastStats.nonHeapAndDirectMb(),
                lastStats.mallocUsedMb(),
                lastStats.mallocFreeMb());
        samples.add(s);
        return s;
    }

    private void readMemory() {
        detector.memory().ifPresent(m -> {
            lastRssMb = m.rssKb() >> 10;
            peakRssMb = Math.max(peakRssMb, m.hwmKb() >> 10);
        });
        for (String line : detector.newLines()) {
            Optional<ProcessMemory.JvmStats> stats = ProcessMemory.stats(line);
            if (stats.isPresent()) {
                lastStats = stats.get();
                peakHeapMb = Math.max(peakHeapMb, lastStats.heapUsedMb());
            }
        }
    }

    private void progress(long nowMs) {
        FrameLedger.Tally t = ledger.tally();
        Sample last = samples.isEmpty() ? null : samples.get(samples.size() - 1);
        say(String.format(
                Locale.ROOT,
                "%6.0f s  in %d  out %d  dead-lettered %d  skipped %d  lag %d  heap %d MB  RSS %d MB"
                        + " (heap committed %d, JVM non-heap %d, malloc in use %d, malloc free held %d MB)",
                nowMs / 1000.0,
                t.in(),
                t.out(),
                t.deadLettered(),
                t.skipped(),
                last == null ? -1 : last.lag(),
                lastStats.heapUsedMb(),
                lastRssMb,
                lastStats.heapCommittedMb(),
                lastStats.nonHeapAndDirectMb(),
                lastStats.mallocUsedMb(),
                lastStats.mallocFreeMb()));
    }

    private void awaitResults(
            OutcomeReader reader, int n, Duration timeout, java.util.function.Consumer<FrameDetections> each) {
        long end = System.nanoTime() + timeout.toNanos();
        while (ledger.framesWithResult() < n) {
            if (!detector.isAlive())
                throw new IllegalStateException(
                        "the detector exited; its log " + detector.log() + ":\n" + detector.tail(30));
            if (System.nanoTime() > end)
                throw new IllegalStateException("no result for " + (n - ledger.framesWithResult()) + " frame(s) in "
                        + timeout.toSeconds() + " s; log " + detector.log());
            reader.poll(Duration.ofMillis(200), ledger, each);
        }
    }

    private void say(String line) {
        log.println(line);
        log.flush();
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    // ---------------------------------------------------------------------------------------------

    /** Consumer lag of the detector's group on the frames topic: end offsets minus committed offsets. */
    private record Lag(Admin admin, String group, String topic) {
        /** Frames not yet consumed (committed) by the detector, or -1 when the broker did not answer. */
        long frames() {
            try {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get(5, TimeUnit.SECONDS);
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                for (int p = 0; p < PARTITIONS; p++) latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
                long lag = 0;
                for (var e :
                        admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS).entrySet()) {
                    OffsetAndMetadata c = committed.get(e.getKey());
                    lag += e.getValue().offset() - (c == null ? 0 : c.offset());
                }
                return lag;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            } catch (Exception e) {
                return -1; // a broker restart: no sample this second
            }
        }
    }

    /**
     * Sends copies of the generated frames, the flights interleaved, each with the next frame index of its
     * flight and the current time as capture time (record timestamp: the send time), and records every
     * frame the broker acknowledged in the ledger.
     */
    private final class Sender {
        private final KafkaProducer<String, Frame> producer;
        private final String topic;
        private final List<List<Frame>> flights;
        private final Random random;
        private final long[] next;
        private int corruptEvery, corruptOffset;
        private long sent;
        /** Corrupt frames handed to the producer (a send failure counts in {@link #sendFailures} too). */
        private long corruptSent;

        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Sender(KafkaProducer<String, Frame> producer, String topic, List<List<Frame>> flights, long seed) {
            this.producer = producer;
            this.topic = topic;
            this.flights = flights;
            this.random = new Random(seed);
            this.next = new long[flights.size()];
        }

        void corruptEvery(int n) {
            corruptEvery = n;
            corruptOffset = n > 0 ? random.nextInt(n) : 0;
        }

        /** Sends {@code n} frames at once and waits until the broker has them. */
        void sendNow(int n) {
            for (int i = 0; i < n; i++) send();
            producer.flush();
        }

        private void send() {
            int flight = (int) (sent++ % flights.size());
            List<Frame> frames = flights.get(flight);
            long index = next[flight]++;
            Frame.Builder b = Frame.newBuilder(frames.get((int) (index % frames.size())))
                    .setFrameIndex(index)
                    .setCaptureTime(Instant.now());
            if (corruptEvery > 0 && (sent + corruptOffset) % corruptEvery == 0) {
                byte[] junk = new byte[2048];
                random.nextBytes(junk);
                junk[0] = (byte) 0xff;
                junk[1] = (byte) 0xd8; // a JPEG start marker, then nothing a decoder can use
                b.setImage(ByteBuffer.wrap(junk));
                corruptSent++;
            }
            Frame f = b.build();
            producer.send(new ProducerRecord<>(topic, f.getFlightId(), f), (meta, error) -> {
                if (error == null) {
                    ledger.sent(f.getFlightId(), f.getFrameIndex());
                } else {
                    sendFailures.incrementAndGet();
                }
            });
        }

        /** Sends at {@code fps} for {@code time} on a thread of its own, then flushes. */
        Thread startPaced(double fps, Duration time) {
            Thread t = new Thread(
                    () -> {
                        try {
                            long start = System.nanoTime(), end = start + time.toNanos();
                            long n = 0;
                            while (true) {
                                long due = start + (long) (n * 1e9 / fps);
                                if (due >= end) break;
                                long wait = due - System.nanoTime();
                                if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                                send();
                                n++;
                            }
                            producer.flush();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } catch (Throwable e) {
                            failure.set(e);
                        }
                    },
                    "skypack-soak-input");
            t.setDaemon(true);
            t.start();
            return t;
        }

        void check() {
            if (failure.get() != null) throw new IllegalStateException("the input failed", failure.get());
        }
    }

    /** The synthetic flights, small frames (the model letterboxes to its input anyway, and decoding stays cheap). */
    private List<List<Frame>> generateFlights(Path root) throws IOException {
        SynthConfig synth =
                new SynthConfig(320, 192, FRAMES_PER_FLIGHT, FLIGHTS, 2.0, 40, 110, 1.0, 1.0, 0, 0.9, settings.seed());
        say("generating " + FLIGHTS + " synthetic flights of " + FRAMES_PER_FLIGHT + " frames (320x192, seed "
                + settings.seed() + ")");
        List<List<Frame>> flights = new ArrayList<>();
        for (FlightWriter.FlightSummary f : new FlightWriter(synth, root, false).writeAll(s -> {})) {
            List<Frame> flight = new ArrayList<>();
            FlightSource.open(root, f.name(), synth.fps(), Instant.now()).forEach(flight::add);
            flights.add(flight);
        }
        return flights;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    static Set<Fault> parseFaults(List<String> names) {
        Set<Fault> faults = EnumSet.noneOf(Fault.class);
        for (String n : names) {
            if (n.equalsIgnoreCase("none")) continue;
            try {
                faults.add(Fault.valueOf(n.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--faults takes kill, broker, corrupt or none, got '" + n + "'");
            }
        }
        return faults;
    }
}
