package io.skypack.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.skypack.detect.Box;
import io.skypack.detect.MaskRle;
import io.skypack.train.data.Annotation;
import io.skypack.train.data.LabeledImage;
import io.skypack.train.data.VisDroneCategory;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compares every summary metric, overall and per class, with pycocotools COCOeval on a random
 * fixture (src/test/scripts/make_cocoeval_fixture.py): bbox with caps 1/10/100/500 and 1/3/20, segm
 * with 1/10/100/500. The fixture has no ignored regions or ignored ground truth (COCOeval has no
 * such notion for non-crowd boxes), so it checks the COCO core: matching, caps, area ranges, tied
 * scores, the 101-point interpolation and the -1 convention.
 */
class CocoEvalCrossCheckTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void shouldMatchPycocotoolsOnRandomFixture(int setting) throws Exception {
        JsonNode expected = MAPPER.readTree(resource("expected.json").toFile()).get(setting);
        IouType type = expected.get("iouType").asText().equals("segm") ? IouType.SEGM : IouType.BBOX;
        List<Integer> maxDets = new ArrayList<>();
        expected.get("maxDets").forEach(n -> maxDets.add(n.asInt()));

        EvalReport report = new CocoEvaluator()
                .evaluate(
                        groundTruth(),
                        DetectionsFile.read(resource("detections.json")),
                        new EvalParams(type, maxDets, true));

        assertMetrics(expected.get("overall"), report.overall(), "overall");
        for (VisDroneCategory c : VisDroneCategory.evaluatedClasses()) {
            assertMetrics(
                    expected.get("classes").get(String.valueOf(c.id())),
                    report.perClass().get(c),
                    c.label());
        }
    }

    private static void assertMetrics(JsonNode expected, Metrics actual, String what) {
        List<Double> values = new ArrayList<>(List.of(
                actual.ap(), actual.ap50(), actual.ap75(), actual.apSmall(), actual.apMedium(), actual.apLarge()));
        values.addAll(actual.ar());
        values.addAll(List.of(actual.arSmall(), actual.arMedium(), actual.arLarge()));
        assertEquals(expected.size(), values.size(), what);
        for (int i = 0; i < values.size(); i++) {
            // numpy's pairwise summation may differ from ours in the last bits.
            assertEquals(expected.get(i).asDouble(), values.get(i), 1e-12, what + " stat " + i);
        }
    }

    private static List<LabeledImage> groundTruth() throws Exception {
        JsonNode root = MAPPER.readTree(resource("ground_truth.json").toFile());
        Map<String, List<Annotation>> anns = new LinkedHashMap<>();
        Map<String, int[]> sizes = new LinkedHashMap<>();
        for (JsonNode im : root.get("images")) {
            sizes.put(
                    im.get("id").asText(),
                    new int[] {im.get("width").asInt(), im.get("height").asInt()});
            anns.put(im.get("id").asText(), new ArrayList<>());
        }
        int n = 0;
        for (JsonNode a : root.get("annotations")) {
            JsonNode b = a.get("bbox");
            JsonNode seg = a.get("segmentation");
            MaskRle mask = MaskRle.fromCocoString(
                    seg.get("counts").asText(),
                    seg.get("size").get(0).asInt(),
                    seg.get("size").get(1).asInt());
            anns.get(a.get("image_id").asText())
                    .add(new Annotation(
                            ++n,
                            Box.ofXywh(
                                    b.get(0).asDouble(),
                                    b.get(1).asDouble(),
                                    b.get(2).asDouble(),
                                    b.get(3).asDouble()),
                            a.get("category_id").asInt(),
                            1,
                            0,
                            0,
                            mask));
        }
        List<LabeledImage> images = new ArrayList<>();
        anns.forEach((id, list) ->
                images.add(new LabeledImage(id, Path.of(id + ".jpg"), sizes.get(id)[0], sizes.get(id)[1], list)));
        return images;
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(
                CocoEvalCrossCheckTest.class.getResource("cocoeval/" + name).toURI());
    }
}
