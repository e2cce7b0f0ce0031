package io.skypack.app;

import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Override
    public Integer call() throws Exception {
        PipelineConfig cfg = cluster.load();
        var o = spec.commandLine().getOut();
        o.println("configuration (secrets hidden):");
        o.print(cfg.describe().lines().map(l -> "  " + l).reduce("", (a, b) -> a + b + "\n"));
        CountDownLatch stopped = new CountDownLatch(1);
        try (DetectorRuntime app = DetectorRuntime.create(cfg)) {
            app.streams().setStateListener((now, before) -> {
                o.printf(Locale.ROOT, "streams %s -> %s%n", before, now);
                o.flush();
                if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) stopped.countDown();
            });
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "skypack-detect-shutdown"));
            app.start();
            o.println("detector " + app.modelId() + " running; Ctrl-C to stop");
            o.flush();
            stopped.await();
            return app.streams().state() == KafkaStreams.State.ERROR ? 1 : 0;
        }
    }
}
