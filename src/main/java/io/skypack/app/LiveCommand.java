package io.skypack.app;

import io.skypack.ingest.FrameProducer;
import io.skypack.ingest.LiveFeed;
import io.skypack.ingest.VideoOptions;
import io.skypack.registry.SchemaRegistryClient;
import io.skypack.registry.TopicNameStrategy;
import io.skypack.schema.Frame;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Produces a live video feed onto the frames topic as it arrives. */
@Command(
        name = "live",
        mixinStandardHelpOptions = true,
        description = {
            "Read a live video feed and produce its frames onto uav.frames as they arrive (Avro, Confluent wire "
                    + "format, JPEG, keyed by flight id). The feed is anything FFmpeg reads: rtsp://, rtmp://, srt://, "
                    + "udp://, tcp://, http(s):// (MPEG-TS, HLS, multipart MJPEG), or a file; it is decoded by the FFmpeg "
                    + "libraries bundled in the jar, nothing to install.",
            "Capture time = wall clock when the frame was read, also the record timestamp, so the live profile's "
                    + "skypack.stale.after.ms counts from the read. Runs until the feed ends, --max-frames, or Ctrl-C. "
                    + "When Kafka is slower than the feed, the oldest frames waiting in --buffer are dropped and counted."
        })
final class LiveCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ClusterOptions cluster = new ClusterOptions("live");

    @Mixin
    VideoInputOptions video = new VideoInputOptions();

    @Option(
            names = "--url",
            required = true,
            description = "The feed: a URL, a device (with --input-format) or a file.")
    String url;

    @Option(names = "--flight", required = true, description = "Flight id (record key).")
    String flight;

    @Option(
            names = "--buffer",
            description = "Frames held while Kafka is behind the feed, about a second of a 30 fps feed; when full, "
                    + "the oldest is dropped (default ${DEFAULT-VALUE}).")
    int buffer = 30;

    @Option(names = "--max-frames", description = "Stop after sending this many frames (default: no limit).")
    long maxFrames;

    @Override
    public Integer call() throws Exception {
        if (buffer < 1) throw new IllegalArgumentException("--buffer must be >= 1: " + buffer);
        if (maxFrames < 0) throw new IllegalArgumentException("--max-frames must be >= 0: " + maxFrames);
        PipelineConfig cfg = cluster.load();
        VideoOptions options = video.options(cfg);
        SchemaRegistryClient registry = new SchemaRegistryClient(cfg.registry());
        ClusterCheck.verify(cfg, registry);
        PrintWriter o = spec.commandLine().getOut();
        String topic = cfg.topics().frames();
        o.println("reading " + url + " with the " + VideoInputOptions.describe(options) + "; flight " + flight + " -> "
                + topic + " (profile " + cfg.get("skypack.profile") + "; Ctrl-C stops)");
        o.flush();
        try (KafkaProducer<String, Frame> producer = cfg.frameProducer(registry)) {
            // Before the feed starts: the topic's metadata and the Frame schema's id, which the first send would
            // otherwise wait for while the feed's first frames overflow the buffer. Also fails early on a wrong
            // topic or registry.
            producer.partitionsFor(topic);
            String subject = TopicNameStrategy.subject(topic, false);
            if (registry.config().autoRegister()) registry.register(subject, Frame.getClassSchema());
            else registry.lookup(subject, Frame.getClassSchema());
            stream(producer, topic, options, o);
        }
        return 0;
    }

    private void stream(KafkaProducer<String, Frame> producer, String topic, VideoOptions options, PrintWriter o)
            throws Exception {
        try (LiveFeed feed = LiveFeed.open(url, flight, options, buffer, maxFrames)) {
            AtomicBoolean stopped = new AtomicBoolean();
            CountDownLatch finished = new CountDownLatch(1);
            // Ctrl-C: stop reading, then let this thread flush what was read and print the summary.
            Thread hook = new Thread(
                    () -> {
                        stopped.set(true);
                        feed.stop();
                        try {
                            finished.await(15, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            // the JVM is going down either way
                        }
                    },
                    "skypack-live-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            long t0 = System.nanoTime();
            long[] lastPrint = {0};
            try {
                int sent = new FrameProducer(producer, topic).stream(feed, (n, total) -> {
                    long now = System.nanoTime();
                    if (now - lastPrint[0] < 500_000_000L) return;
                    lastPrint[0] = now;
                    o.printf(
                            Locale.ROOT,
                            "\r%s: %d frames, %.1f frames/s, %d dropped   ",
                            flight,
                            n,
                            n / Math.max((now - t0) / 1e9, 1e-9),
                            feed.dropped());
                    o.flush();
                });
                double secs = (System.nanoTime() - t0) / 1e9;
                o.printf(
                        Locale.ROOT,
                        "%nsent %d frames of %s to %s in %.1f s (%.1f frames/s), %d read, %d dropped; %s%n",
                        sent,
                        flight,
                        topic,
                        secs,
                        sent / Math.max(secs, 1e-9),
                        feed.read(),
                        feed.dropped(),
                        stopped.get()
                                ? "stopped"
                                : maxFrames > 0 && sent >= maxFrames ? "--max-frames reached" : "feed ended");
                o.flush();
            } catch (UncheckedIOException e) {
                throw ReplayCommand.unwrap(e);
            } finally {
                finished.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running
                }
            }
        }
    }
}
