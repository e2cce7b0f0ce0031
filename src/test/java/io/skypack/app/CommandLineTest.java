package io.skypack.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.skypack.model.ModelFile;
import io.skypack.model.MpDet;
import io.skypack.model.MpDetConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
        Path model = dir.resolve("tiny.mpdet");
        try (NDManager m = NDManager.newBaseManager()) {
            MpDet net = new MpDet(MpDetConfig.small("tiny", 128, 96, 2, false), 1);
            net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 96, 128));
            ModelFile.save(net, model);
        }
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
}
