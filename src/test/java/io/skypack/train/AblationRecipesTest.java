package io.skypack.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ablation table compares like with like: each variant differs from the reference in one knob only. */
class AblationRecipesTest {
    private static final Path DIR = Path.of("recipes", "ablation");

    @Test
    void shouldDifferFromTheReferenceInExactlyOneKnob() throws IOException {
        JsonNode reference = read("reference");
        assertEquals(List.of("model.proxies"), differences(reference, read("single-proxy")));
        assertEquals(List.of("losses.ot"), differences(reference, read("no-ot")));
        assertEquals(List.of("model.adl"), differences(reference, read("no-adl")));
        // And every recipe parses as a recipe.
        for (String name : List.of("reference", "single-proxy", "no-ot", "no-adl")) {
            TrainRecipe.read(DIR.resolve(name + ".json"));
        }
    }

    @Test
    void shouldTrainTheReferenceOnTheCoarseRecipesDataAndModel() throws IOException {
        ObjectNode coarse = (ObjectNode)
                new ObjectMapper().readTree(getClass().getResourceAsStream("/io/skypack/model/recipes/coarse.json"));
        ((ObjectNode) coarse.get("model")).remove("name");
        // Only the schedule is shorter (so the four runs fit one session on 2 cores) and the name differs.
        // The ablation scores every run at the training input size: it compares training knobs, so it
        // leaves out the coarse recipe's served input size.
        assertEquals(List.of("epochs", "stepEpochs", "servedInput"), differences(coarse, read("reference")));
    }

    private static JsonNode read(String name) throws IOException {
        ObjectNode n = (ObjectNode)
                new ObjectMapper().readTree(DIR.resolve(name + ".json").toFile());
        ((ObjectNode) n.get("model")).remove("name");
        return n;
    }

    private static List<String> differences(JsonNode a, JsonNode b) {
        List<String> out = new ArrayList<>();
        diff("", a, b, out);
        return out;
    }

    private static void diff(String path, JsonNode a, JsonNode b, List<String> out) {
        if (a.isObject() && b.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                JsonNode other = b.get(e.getKey());
                if (other == null) out.add(p);
                else diff(p, e.getValue(), other, out);
            }
            for (Iterator<String> it = b.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (a.get(k) == null) out.add(path.isEmpty() ? k : path + "." + k);
            }
        } else if (!a.equals(b)) {
            out.add(path);
        }
    }
}
