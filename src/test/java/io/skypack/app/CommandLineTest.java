package io.skypack.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.ingest.VideoOptions;
import io.skypack.model.RandomModels;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class CommandLineTest {

    private record Run(int code, String err) {}

    private static Run run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        cli.setOut(new PrintWriter(new StringWriter()));
        return new Run(cli.execute(args), err.toString());
    }

    @Test
    void shouldSynthesiseSimulateAndEvaluateAFlight(@TempDir Path dir) {
        Path data = dir.resolve("flight");
        assertEquals(
                0,
                run(
                                "synth",
                                "--out",
                                data.toString(),
                                "--width",
                                "320",
                                "--height",
                                "192",
                                "--frames",
                                "3",
                                "--seed",
                                "6",
                                "--preview")
                        .code());
        assertTrue(Files.isRegularFile(data.resolve("preview/synth_s6_f000.png")));
        Path dets = dir.resolve("dets.jsonl");
        assertEquals(
                0,
                run("simulate-detections", "--gt", data.toString(), "--out", dets.toString())
                        .code());
        Path out = dir.resolve("eval");
        assertEquals(
                0,
                run("eval", "--gt", data.toString(), "--detections", dets.toString(), "--out", out.toString())
                        .code());
        assertTrue(Files.isRegularFile(out.resolve("eval-bbox.json")));
        assertTrue(Files.isRegularFile(out.resolve("pr-bbox.png")));
        assertTrue(Files.isRegularFile(out.resolve("eval-segm.json")), "synthetic flights have masks: segm too");
    }

    @Test
    void shouldExplainBadKnobInOneLineWithExitCode2(@TempDir Path dir) {
        Run r = run("synth", "--out", dir.toString(), "--jpeg-quality", "3");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--jpeg-quality is 3, must be in (0, 1]"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line, no stack trace: " + r.err());
    }

    @ParameterizedTest
    @CsvSource({
        "--warmup-frames, -1, '--warmup-frames must be >= 0, got -1'",
        "--rounds, 0, '--rounds must be >= 1, got 0'",
        "--warmup-rounds, -1, '--warmup-rounds must be >= 0, got -1'"
    })
    void aBadCountShouldStopThePipelineBenchBeforeItStartsAnything(
            String option, String value, String error, @TempDir Path dir) throws Exception {
        Run r = run("bench", "pipeline", option, value, "--out", dir.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains(error), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line, no stack trace: " + r.err());
        try (Stream<Path> written = Files.list(dir)) {
            assertEquals(List.of(), written.toList(), "no flight written");
        }
    }

    @Test
    void shouldNameTheMissingDatasetFolder(@TempDir Path dir) {
        Run r = run(
                "eval",
                "--gt",
                dir.resolve("nope").toString(),
                "--detections",
                dir.resolve("d.jsonl").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("nope"), r.err());
    }

    @Test
    void shouldNameFileAndLineOfABadDetection(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("flight");
        assertEquals(
                0,
                run("synth", "--out", data.toString(), "--width", "320", "--height", "192", "--frames", "1")
                        .code());
        Path dets = dir.resolve("bad.jsonl");
        Files.writeString(dets, "{\"image_id\":\"synth_s42_f000/0000001\",\"category_id\":4,\"bbox\":[1,2,3,4]}\n");
        Run r = run("eval", "--gt", data.toString(), "--detections", dets.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("bad.jsonl:1") && r.err().contains("score"), r.err());
    }

    @Test
    void shouldRunAModelOverTheGroundTruthImagesWhenEvalGetsModel(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("flight");
        assertEquals(
                0,
                run("synth", "--out", data.toString(), "--width", "320", "--height", "192", "--frames", "2")
                        .code());
        Path model = RandomModels.write(dir, "tiny", 128, 96, 1);
        Path out = dir.resolve("eval");
        Run r = run("eval", "--gt", data.toString(), "--model", model.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(out.resolve("eval-bbox.json")));
    }

    @Test
    void shouldRefuseDetectionsAndModelTogether(@TempDir Path dir) {
        Run r = run("eval", "--gt", dir.toString(), "--detections", "d.jsonl", "--model", "coarse");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("mutually exclusive"), r.err());
    }

    @Test
    void shouldNameAMissingModelFile(@TempDir Path dir) {
        Path data = dir.resolve("flight");
        assertEquals(
                0,
                run("synth", "--out", data.toString(), "--width", "320", "--height", "192", "--frames", "1")
                        .code());
        Run r = run(
                "eval",
                "--gt",
                data.toString(),
                "--model",
                dir.resolve("missing.mpdet").toString());
        assertTrue(r.code() != 0);
        assertTrue(r.err().contains("missing.mpdet"), r.err());
    }

    /** The command object picocli filled in for a subcommand path such as {@code bench detect}. */
    private static Object parsed(String... args) {
        CommandLine.ParseResult r = Main.commandLine().parseArgs(args);
        while (r.hasSubcommand()) r = r.subcommand();
        return r.commandSpec().userObject();
    }

    @Test
    void shouldParseBenchDetectOptionsAndDefaults() {
        BenchDetectCommand b = (BenchDetectCommand) parsed(
                "bench",
                "detect",
                "--coarse",
                "c.mpdet",
                "--fine",
                "f.mpdet",
                "--flights",
                "3",
                "--frames",
                "4",
                "--batch",
                "1,4,8",
                "--methods",
                "ufp,sliced",
                "--candidate-score",
                "0.02",
                "--keep-coarse",
                "--slice-overlap",
                "0.25",
                "--seed-offset",
                "5");
        assertEquals("c.mpdet", b.ufp.coarse);
        assertEquals("f.mpdet", b.ufp.fine);
        assertEquals(3, b.flights);
        assertEquals(4, b.frames);
        assertEquals(List.of(1, 4, 8), b.batches);
        assertEquals(List.of("ufp", "sliced"), b.methods);
        assertEquals(0.02, b.ufp.candidateScore);
        assertTrue(b.ufp.keepCoarse);
        assertEquals(0.25, b.sliceOverlap);
        assertEquals(5, b.seedOffset);
        assertEquals(0.02, b.ufp.config(4).candidateScore());
        assertTrue(b.ufp.config(4).keepCoarse().enabled());
        assertEquals(4, b.ufp.config(4).maxBatch());

        BenchConditionsCommand c = (BenchConditionsCommand) parsed("bench", "conditions", "--model", "ufp");
        assertEquals("ufp", c.model);
        assertEquals(null, c.batch, "8 for ufp, 4 for a model, unless given");
        assertEquals("640x384", c.ufp.coarseInput);
        assertEquals(4.0, c.ufp.canvasesPerFrame);

        BenchPipelineCommand p = (BenchPipelineCommand) parsed("bench", "pipeline");
        assertEquals(null, p.canvasesPerFrame, "the profile's budget unless given");
        assertEquals(List.of(1, 8), p.batches);
        assertEquals(16, p.warmupFrames, "the pipeline row runs warm unless told otherwise");
        assertEquals(5, p.rounds, "targets judged on a median, not on one noisy round");
        assertEquals(1, p.warmupRounds, "a first round left out, as a benchmark's warm-up iteration");
        assertEquals(
                2.0,
                ((BenchPipelineCommand) parsed("bench", "pipeline", "--canvases-per-frame", "2")).canvasesPerFrame);

        BenchDetectCommand d = (BenchDetectCommand) parsed("bench", "detect");
        assertEquals("coarse", d.ufp.coarse);
        assertEquals("fine", d.ufp.fine);
        assertEquals(2, d.flights);
        assertEquals(10, d.frames);
        assertEquals(List.of(1, 8), d.batches);
        assertEquals(List.of("ufp", "full-frame", "sliced"), d.methods);
        assertEquals(0.25, d.ufp.candidateScore);
        assertEquals(4.0, d.ufp.canvasesPerFrame);
        assertEquals("640x384", d.ufp.coarseInput);
        assertEquals(false, d.ufp.keepCoarse);
        assertEquals(0.2, d.sliceOverlap);
    }

    @Test
    void ufpShouldRunTheCoarseModelAtTheConfiguredInputOrTheModelsOwn() throws Exception {
        UfpOptions o = new UfpOptions();
        try (var coarse = o.openCoarse()) {
            assertEquals(640, coarse.inputWidth());
            assertEquals(384, coarse.inputHeight());
        }
        o.coarseInput = "model";
        try (var coarse = o.openCoarse()) {
            assertEquals(768, coarse.inputWidth(), "the bundled coarse model is served at 768x448");
            assertEquals(448, coarse.inputHeight());
        }
        for (String bad : List.of("640", "641x384", "640x-32", "axb", "640x384x3")) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class, () -> UfpOptions.size(bad));
            assertTrue(e.getMessage().contains("'" + bad + "' must be WIDTHxHEIGHT"), e.getMessage());
        }
    }

    @Test
    void shouldParseLiveOptionsOverTheLiveProfile() throws Exception {
        LiveCommand live = (LiveCommand) parsed(
                "live",
                "--url",
                "rtsp://cam/1",
                "--flight",
                "uav7",
                "--max-fps",
                "5",
                "--input-option",
                "rtsp_transport=tcp",
                "--input-format",
                "rtsp",
                "--stall-timeout",
                "2.5");
        assertEquals("live", live.cluster.profile);
        assertEquals(30, live.buffer);
        assertEquals(0, live.maxFrames);
        PipelineConfig cfg = PipelineConfig.load("live", null, Map.of(), Map.of());
        VideoOptions o = live.video.options(cfg);
        assertEquals(Optional.empty(), o.ffmpeg(), "the bundled libraries unless told otherwise");
        assertEquals(5, o.maxFps());
        assertEquals(Map.of("rtsp_transport", "tcp"), o.inputOptions());
        assertEquals(Optional.of("rtsp"), o.format());
        assertEquals(Duration.ofMillis(2500), o.stallTimeout());
        VideoOptions configured =
                live.video.options(PipelineConfig.load("live", null, Map.of(), Map.of("skypack.ffmpeg", "ffmpeg")));
        assertEquals(Optional.of(Path.of("ffmpeg")), configured.ffmpeg(), "skypack.ffmpeg: a program on the PATH");

        ReplayCommand replay =
                (ReplayCommand) parsed("replay", "--source", "f.mp4", "--flight", "f", "--ffmpeg", "ffmpeg");
        assertEquals("replay", replay.cluster.profile);
        assertEquals(Optional.of(Path.of("ffmpeg")), replay.video.options(cfg).ffmpeg());
    }

    @Test
    void shouldNameAMissingVideoOrAnUnreachableFeedInOneLine(@TempDir Path dir) {
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(
                "replay",
                "--source",
                dir.resolve("f.mkv").toString(),
                "--flight",
                "f",
                "--bootstrap-servers",
                "127.0.0.1:9",
                "--registry",
                "http://127.0.0.1:9");
        assertEquals(2, code);
        assertEquals(
                "skypack replay: " + dir.resolve("f.mkv") + ": no such video file",
                err.toString().strip());
    }

    @Test
    void detectShouldNameABadSettingBeforeConnectingToAnything() {
        long t0 = System.nanoTime();
        Run r = run(
                "detect",
                "--bootstrap-servers",
                "127.0.0.1:9",
                "--registry",
                "http://127.0.0.1:9",
                "--set",
                "skypack.batch.max=0");
        assertEquals(2, r.code());
        assertEquals(
                "skypack detect: skypack.batch.max must be in [1, 1024], got 0",
                r.err().strip());
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos(), "no wait for the unreachable cluster");
    }

    @Test
    void shouldParseDetectImagesOptionsAndRequireInAndOut() {
        DetectImagesCommand c = (DetectImagesCommand) parsed(
                "detect-images",
                "--in",
                "frames",
                "--out",
                "pictures",
                "--coarse",
                "c.mpdet",
                "--fine",
                "f.mpdet",
                "--show-mosaics",
                "--batch",
                "4",
                "--min-score",
                "0.5");
        assertEquals(Path.of("frames"), c.in);
        assertEquals(Path.of("pictures"), c.out);
        assertEquals("c.mpdet", c.ufp.coarse);
        assertEquals("f.mpdet", c.ufp.fine);
        assertTrue(c.showMosaics);
        assertEquals(4, c.batch);
        assertEquals(0.5, c.minScore);
        DetectImagesCommand d = (DetectImagesCommand) parsed("detect-images", "--in", "a", "--out", "b");
        assertEquals("coarse", d.ufp.coarse);
        assertEquals(false, d.showMosaics);
        assertEquals(8, d.batch);

        Run r = run("detect-images", "--out", "b");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Missing required option: '--in=<in>'"), r.err());
    }

    @Test
    void shouldRefuseBadDetectionOptionsInOneLineBeforeLoadingAnything(@TempDir Path dir) {
        Run badBatch = run("bench", "detect", "--batch", "4,0", "--out", dir.toString());
        assertEquals(2, badBatch.code());
        assertTrue(badBatch.err().contains("every --batch must be at least 1: [4, 0]"), badBatch.err());
        assertEquals(1, badBatch.err().strip().lines().count(), badBatch.err());
        Run badMethod = run("bench", "detect", "--methods", "ufp,yolo", "--out", dir.toString());
        assertTrue(badMethod.err().contains("unknown method 'yolo'"), badMethod.err());
        Run badScore = run("bench", "detect", "--candidate-score", "1.5", "--out", dir.toString());
        assertTrue(badScore.err().contains("--candidate-score is 1.5, must be in [0, 1]"), badScore.err());
        Run badBudget = run("bench", "detect", "--canvases-per-frame", "-1", "--out", dir.toString());
        assertTrue(badBudget.err().contains("--canvases-per-frame is -1.0, must be >= 0"), badBudget.err());
        Run badScope = run("bench", "detect", "--canvas-budget", "frames", "--out", dir.toString());
        assertTrue(badScope.err().contains("--canvas-budget is 'frames', must be frame or batch"), badScope.err());
        assertEquals(List.of(), list(dir), "nothing generated");
        Run noFolder = run("detect-images", "--in", dir.resolve("nope").toString(), "--out", dir.toString());
        assertEquals(2, noFolder.code());
        assertTrue(noFolder.err().contains("nope: not a folder"), noFolder.err());
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Runs a command and returns what it printed on System.out. */
    private static String stdout(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            Run r = run(args);
            assertEquals(0, r.code(), r.err());
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldDrawDetectionsAndMosaicsOfAFolderOfImages(@TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        for (String name : List.of("a.png", "b.jpg")) {
            BufferedImage img = new BufferedImage(160, 120, BufferedImage.TYPE_INT_RGB);
            var g = img.createGraphics();
            g.setColor(java.awt.Color.ORANGE);
            g.fillRect(40, 30, 20, 12);
            g.dispose();
            ImageIO.write(
                    img, name.endsWith("png") ? "png" : "jpg", in.resolve(name).toFile());
        }
        Files.writeString(in.resolve("notes.txt"), "not an image");
        Path coarse = RandomModels.write(dir, "coarse", 96, 64, 1);
        Path fine = RandomModels.write(dir, "fine", 128, 128, 2);
        Path out = dir.resolve("out");
        // Candidate score 0: every coarse detection of the random model is a candidate, so there are mosaics.
        String printed = stdout(
                "detect-images",
                "--in",
                in.toString(),
                "--out",
                out.toString(),
                "--coarse",
                coarse.toString(),
                "--fine",
                fine.toString(),
                "--candidate-score",
                "0",
                "--show-mosaics",
                "--min-score",
                "0");
        assertTrue(printed.contains("batch 0: 2 images"), printed);
        for (String name : List.of("a.png", "b.png")) {
            BufferedImage drawn = ImageIO.read(out.resolve(name).toFile());
            assertEquals(160, drawn.getWidth());
            assertEquals(120, drawn.getHeight());
        }
        List<Path> mosaics = list(out.resolve("mosaics"));
        assertTrue(!mosaics.isEmpty(), "mosaics written");
        assertEquals(128, ImageIO.read(mosaics.get(0).toFile()).getWidth(), "a canvas is the fine input size");
    }

    @Test
    void shouldPrintOneBenchDetectRowPerMethodAndBatchSize(@TempDir Path dir) throws Exception {
        Path coarse = RandomModels.write(dir, "coarse", 96, 64, 1);
        Path fine = RandomModels.write(dir, "fine", 256, 256, 2);
        // Candidate score 1: no candidates, so ufp is its coarse pass alone (the detector tests cover
        // its fine pass); one 1280 x 720 frame, so the random fine model's slices stay cheap.
        String printed = stdout(
                "bench",
                "detect",
                "--coarse",
                coarse.toString(),
                "--fine",
                fine.toString(),
                "--flights",
                "1",
                "--frames",
                "1",
                "--batch",
                "1",
                "--candidate-score",
                "1",
                "--coarse-input",
                "model",
                "--out",
                dir.resolve("bench").toString());
        List<String> rows = printed.lines()
                .filter(l -> l.matches("\\| (ufp|full-frame|sliced) \\| 1 \\|.*"))
                .toList();
        assertEquals(3, rows.size(), printed);
        // ufp: one coarse input of 96 x 64 px; full-frame: one of 256^2 px; sliced: SAHI's 6 x 4 grid
        // of 256 px slices (step 205) on 1280 x 720 plus the frame, 25 inputs of 256^2 px.
        assertTrue(rows.get(0).contains("| 1.0 | 0.01 |"), rows.get(0));
        assertTrue(rows.get(1).contains("| 1.0 | 0.07 |"), rows.get(1));
        assertTrue(rows.get(2).contains("| 25.0 | 1.64 |"), rows.get(2));
        assertTrue(Files.isRegularFile(dir.resolve("bench/sliced-batch1/eval-segm.json")));
    }

    @Test
    void shouldParseSoakOptionsAndDefaults() {
        SoakCommand d = (SoakCommand) parsed("soak");
        assertEquals(3.0, d.minutes);
        assertEquals("replay", d.profile);
        assertEquals(10.0, d.overload);
        assertEquals(List.of("kill", "corrupt"), d.faults);
        SoakCommand s = (SoakCommand)
                parsed("soak", "--minutes", "0.5", "--profile", "live", "--faults", "kill,broker", "--rate", "40");
        assertEquals(0.5, s.minutes);
        assertEquals("live", s.profile);
        assertEquals(40.0, s.rate);
        assertEquals(java.util.EnumSet.of(SoakRun.Fault.KILL, SoakRun.Fault.BROKER), SoakRun.parseFaults(s.faults));
        assertEquals(java.util.Set.of(), SoakRun.parseFaults(List.of("none")));
    }

    @Test
    void shouldRefuseBadSoakOptionsInOneLineBeforeStartingAnything(@TempDir Path dir) {
        for (String[] bad : List.of(
                new String[] {"--profile", "batch"},
                new String[] {"--faults", "kill,fire"},
                new String[] {"--minutes", "0"},
                new String[] {"--overload", "-1"})) {
            List<String> args = new java.util.ArrayList<>(List.of("soak", "--work", dir.toString()));
            args.addAll(List.of(bad));
            Run r = run(args.toArray(String[]::new));
            assertEquals(2, r.code(), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains(bad[0]), r.err());
        }
        assertTrue(Files.notExists(dir.resolve("flight")), "nothing generated");
    }
}
