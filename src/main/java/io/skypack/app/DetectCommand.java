package io.skypack.app;

import io.skypack.registry.SchemaRegistryClient;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The detector application against an external cluster and registry, until interrupted. */
@Command(
        name = "detect",
        mixinStandardHelpOptions = true,
        description = {
            "Run the detector topology against a Kafka cluster and schema registry: uav.frames in; uav.detections,",
            "uav.flight-stats and uav.frames.dlq out. Runs until Ctrl-C (or SIGTERM), then closes cleanly."
        })
final class DetectCommand implements Callable<Integer> {
    /** How long a SIGTERM waits for the application to close (Kafka Streams gets 30 s of it). */
    static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(60);
    /** How long the end waits for Kafka Streams to report its final state once closed. */
    private static final Duration LAST_STATE_WAIT = Duration.ofSeconds(5);

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Option(
            names = "--stats-interval",
            description =
                    "Print a line 'stats heap.used.mb=.. heap.committed.mb=.. rss.mb=.. hwm.mb=..' every this many"
                            + " seconds (0, the default: never); skypack soak reads the detector's heap from it.")
    int statsIntervalSeconds;

    @Override
    public Integer call() throws Exception {
        PipelineConfig cfg = cluster.load();
        var o = spec.commandLine().getOut();
        o.println("configuration (secrets hidden):");
        o.print(cfg.describe().lines().map(l -> "  " + l).reduce("", (a, b) -> a + b + "\n"));
        // Before anything can fail: the configuration is what a failed start is diagnosed with.
        o.flush();
        // A bad skypack.* value is named before anything goes over the network.
        cfg.settings("(not loaded yet)", DetectorRuntime::className);
        // Wrong credentials or an untrusted certificate: one clear line now, not retries for ever. A registry
        // that is down only delays the records (RegistryOutageIT), so the detector starts without it.
        ClusterCheck.verify(cfg, new SchemaRegistryClient(cfg.registry()), true);
        CountDownLatch stopped = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        // Kafka Streams calls the listener after it wakes close(): without waiting for it, the JVM could exit
        // before the last state line is written (seen once in CrashRecoveryIT on a loaded machine).
        CountDownLatch lastStatePrinted = new CountDownLatch(1);
        boolean started = false;
        try (DetectorRuntime app = DetectorRuntime.create(cfg)) {
            app.streams().setStateListener((now, before) -> {
                o.printf(Locale.ROOT, "streams %s -> %s%n", before, now);
                o.flush();
                if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) { // both final
                    stopped.countDown();
                    lastStatePrinted.countDown();
                }
            });
            // The JVM halts as soon as its shutdown hooks return, whatever the main thread is doing; so the
            // hook waits until the main thread has closed the application (committed the open transaction,
            // closed the tasks and the models), or a SIGTERM would end it like a SIGKILL.
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                stopped.countDown();
                                try {
                                    closed.await(SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            },
                            "skypack-detect-shutdown"));
            app.start();
            started = true;
            if (statsIntervalSeconds > 0) startStatsLines(o);
            o.println("detector " + app.modelId() + " running; Ctrl-C to stop");
            o.flush();
            stopped.await();
            o.println("stopping");
            o.flush();
            return app.streams().state() == KafkaStreams.State.ERROR ? 1 : 0;
        } finally {
            if (started) lastStatePrinted.await(LAST_STATE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            o.println("stopped");
            o.flush();
            closed.countDown();
        }
    }

    private void startStatsLines(java.io.PrintWriter o) {
        Thread t = new Thread(
                () -> {
                    try {
                        while (true) {
                            synchronized (o) {
                                o.println(ProcessMemory.statsLine());
                                o.flush();
                            }
                            Thread.sleep(TimeUnit.SECONDS.toMillis(statsIntervalSeconds));
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "skypack-detect-stats");
        t.setDaemon(true);
        t.start();
    }
}
