package org.ichtriage.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** ONNX Runtime in Java reproduces the PyTorch outputs recorded by training/, to 1e-4. */
class ModelGoldenTest {

    /** Reported as skipped, with the reason, while training/ has not delivered the vectors. */
    @Test
    void goldenFilesArePresentAndComplete() throws Exception {
        List<Path> files = Golden.files("model-");
        assumeFalse(files.isEmpty(), "no src/test/resources/golden/model-*.json yet (written by training/'s make golden)");
        for (Path f : files) {
            JsonNode g = Golden.read(f);
            for (String field : List.of("model", "sha256", "slices", "input_size", "input_b64", "prob_b64", "hypotheses_b64", "entropy_b64")) {
                assertTrue(g.hasNonNull(field), f.getFileName() + " lacks " + field);
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> ortMatchesPyTorch() throws Exception {
        List<Path> files = Golden.files("model-");
        assumeFalse(files.isEmpty(), "no src/test/resources/golden/model-*.json yet (written by training/'s make golden)");
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> check(f, Path.of("models"))));
    }

    /**
     * The training smoke of the TEST command (make train-smoke) trains a tiny model from scratch and
     * exports it with its PyTorch outputs: ONNX Runtime must reproduce them, so export and parity are
     * checked on a model made in this very run, not only on the shipped one.
     */
    @TestFactory
    Stream<DynamicTest> freshlyTrainedSmokeModelMatchesPyTorch() throws Exception {
        Path dir = Path.of("target", "smoke-model");
        List<Path> files = Files.isDirectory(dir)
                ? Files.list(dir).filter(p -> p.getFileName().toString().matches("model-.*\\.json")).sorted().toList() : List.of();
        assumeFalse(files.isEmpty(), "no " + dir.toAbsolutePath() + "/model-*.json: run `make train-smoke` first (make test does)");
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> check(f, dir)));
    }

    private static void check(Path f, Path modelsDir) throws Exception {
        JsonNode g = Golden.read(f);
        String model = g.get("model").asText();
        String base = model.endsWith(".onnx") ? model.substring(0, model.length() - 5) : model;
        Path card = modelsDir.resolve(base + ".json");
        assumeTrue(Files.isRegularFile(card), "model card " + card.toAbsolutePath() + " not present");
        int slices = g.get("slices").asInt();
        int size = g.get("input_size").asInt();
        try (SegmentationModel m = SegmentationModel.open(card,
                new SegmentationModel.Options(ProviderPreference.CPU, 2, 0))) {
            assertEquals(g.get("sha256").asText(), m.modelSha256(), "golden file was made with another model file");
            ModelOutput out = m.run(Golden.float32(g, "input_b64"), slices, size);
            assertClose("prob", Golden.float32(g, "prob_b64"), out.prob());
            assertClose("hypotheses", Golden.float32(g, "hypotheses_b64"), out.hypotheses());
            assertClose("entropy", Golden.float32(g, "entropy_b64"), out.entropy());
        }
    }

    private static void assertClose(String name, float[] expected, float[] actual) {
        double d = Golden.maxAbsDiff(expected, actual);
        assertTrue(d <= 1e-4, name + ": max abs diff " + d + " > 1e-4");
    }
}
