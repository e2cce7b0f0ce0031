package io.skypack.eval;

import static io.skypack.eval.Fixtures.CAR;
import static io.skypack.eval.Fixtures.det;
import static io.skypack.eval.Fixtures.gt;
import static io.skypack.eval.Fixtures.image;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalReportTest {
    @TempDir
    Path dir;

    // One car found after one false positive: AP = 0.5 at every threshold, AR = 1 except AR1 = 0 (the
    // single detection kept is the false positive).
    private final EvalReport report = new CocoEvaluator()
            .evaluate(
                    List.of(image("a", 100, 100, gt(CAR, 0, 0, 20, 20))),
                    Map.of("a", List.of(det(CAR, 50, 50, 20, 20, 0.9), det(CAR, 0, 0, 20, 20, 0.5))),
                    EvalParams.visDrone(IouType.BBOX));

    @Test
    void shouldPrintOverallAndOneRowPerClassInFixedWidth() {
        List<String> lines = report.toTable().lines().toList();

        assertEquals(12, lines.size());
        assertEquals(
                "class                 AP    AP50    AP75     APs     APm     APl     AR1    AR10   AR100   AR500     ARs     ARm     ARl",
                lines.get(0));
        assertEquals(
                "overall           0.5000  0.5000  0.5000  0.5000       -       -  0.0000  1.0000  1.0000  1.0000  1.0000       -       -",
                lines.get(1));
        assertEquals(lines.get(1).replace("overall", "car    "), lines.get(5));
        assertEquals(
                "pedestrian             -       -       -       -       -       -       -       -       -       -       -       -       -",
                lines.get(2));
    }

    @Test
    void shouldWriteMetricsAndPrecisionCurvesAsJson() throws Exception {
        Path file = dir.resolve("report.json");
        report.writeJson(file);

        JsonNode json = new ObjectMapper().readTree(Files.readString(file));

        assertEquals("bbox", json.get("iouType").asText());
        assertEquals(0.5, json.get("overall").get("AP").asDouble());
        assertEquals(1.0, json.get("classes").get("car").get("AR500").asDouble());
        assertEquals(-1.0, json.get("classes").get("bus").get("AP").asDouble());
        JsonNode carCurves = json.get("precision").get("car");
        assertEquals(10, carCurves.size());
        assertEquals(101, carCurves.get(0).size());
        assertEquals(0.5, carCurves.get(0).get(100).asDouble());
        assertEquals(-1.0, json.get("precision").get("bus").get(0).get(0).asDouble());
    }

    @Test
    void shouldAverageCurvesOverClassesWithGroundTruthOnly() {
        double[] mean = report.meanPrecision(0);
        // Only the car has ground truth; the nine -1 curves are left out.
        assertEquals(0.5, mean[0]);
        assertEquals(0.5, mean[100]);
    }
}
