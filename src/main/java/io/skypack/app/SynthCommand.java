package io.skypack.app;

import io.skypack.train.synth.FlightWriter;
import io.skypack.train.synth.SynthConfig;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code skypack synth}: writes seeded synthetic drone flights in the VisDrone-VID layout. */
@Command(
        name = "synth",
        mixinStandardHelpOptions = true,
        description = {
            "Generate seeded synthetic drone flights with exact boxes and instance masks, in the VisDrone-VID layout:",
            "  OUT/sequences/<flight>/0000001.jpg, OUT/annotations/<flight>.txt, OUT/masks/<flight>.jsonl (COCO RLE),",
            "  OUT/telemetry/<flight>.csv, and with --preview OUT/preview/<flight>.png.",
            "Same options and seed give byte-identical files."
        })
final class SynthCommand implements Callable<Integer> {
    private static final SynthConfig D = SynthConfig.defaults();

    @Option(names = "--out", required = true, description = "Output directory (created if missing).")
    Path out;

    @Option(names = "--width", description = "Frame width in pixels (default ${DEFAULT-VALUE}).")
    int width = D.width();

    @Option(names = "--height", description = "Frame height in pixels (default ${DEFAULT-VALUE}).")
    int height = D.height();

    @Option(names = "--frames", description = "Frames per flight (default ${DEFAULT-VALUE}).")
    int frames = D.frames();

    @Option(names = "--flights", description = "Number of flights (default ${DEFAULT-VALUE}).")
    int flights = D.flights();

    @Option(names = "--fps", description = "Frame rate; sets motion between frames (default ${DEFAULT-VALUE}).")
    double fps = D.fps();

    @Option(names = "--min-altitude", description = "Lowest camera altitude, metres (default ${DEFAULT-VALUE}).")
    double minAltitude = D.minAltitude();

    @Option(
            names = "--max-altitude",
            description = "Highest camera altitude, metres; altitude drifts between the two, so object size varies"
                    + " from ~6 px to ~150 px (default ${DEFAULT-VALUE}).")
    double maxAltitude = D.maxAltitude();

    @Option(
            names = "--density",
            description = "Object density multiplier, 0 = empty scenes (default ${DEFAULT-VALUE}).")
    double density = D.density();

    @Option(
            names = "--lighting",
            description = "Sun brightness: 1 clear midday, 0.35 dusk, up to 2 overexposed (default ${DEFAULT-VALUE}).")
    double lighting = D.lighting();

    @Option(
            names = "--motion-blur",
            description = "Blur length in pixels along the camera motion (default ${DEFAULT-VALUE}).")
    double motionBlur = D.motionBlur();

    @Option(names = "--jpeg-quality", description = "JPEG quality in (0, 1] (default ${DEFAULT-VALUE}).")
    double jpegQuality = D.jpegQuality();

    @Option(names = "--seed", description = "Master seed; flight i uses seed*1000+i (default ${DEFAULT-VALUE}).")
    long seed = D.seed();

    @Option(names = "--preview", description = "Also write a PNG contact sheet per flight with boxes and masks drawn.")
    boolean preview;

    @Override
    public Integer call() throws Exception {
        SynthConfig config = new SynthConfig(
                width,
                height,
                frames,
                flights,
                fps,
                minAltitude,
                maxAltitude,
                density,
                lighting,
                motionBlur,
                jpegQuality,
                seed);
        new FlightWriter(config, out, preview)
                .writeAll(s -> System.out.printf(
                        Locale.ROOT,
                        "%s: %d frames, %d objects, %d ignored regions, %.0f ms/frame%n",
                        s.name(),
                        s.frames(),
                        s.objects(),
                        s.ignoredRegions(),
                        (double) s.millis() / s.frames()));
        System.out.println(
                "wrote " + out.toAbsolutePath() + (preview ? " (previews in " + out.resolve("preview") + ")" : ""));
        return 0;
    }
}
