package org.ichtriage.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.ichtriage.inference.PhysicsGate;
import org.ichtriage.inference.PostprocessConfig;
import org.junit.jupiter.api.Test;

/**
 * The metrics in the shipped model card were measured with a given postprocessing; the worker's
 * defaults must be that postprocessing, or the card describes a different product.
 */
class ShippedModelCardTest {
    private static final Path CARD = Path.of("models/slexnet-ich.json");

    @Test
    void workerDefaultsAreThePostprocessingTheCardWasEvaluatedWith() throws Exception {
        JsonNode evaluated = new ObjectMapper().readTree(CARD.toFile()).path("evaluated_postprocessing");
        assertTrue(evaluated.isObject(), "the card records the postprocessing its metrics assume");
        double cardMm3 = evaluated.path("min_component_mm3").asDouble(Double.NaN);
        String setting = evaluated.path("worker_setting").asText();
        double settingDefault = Double.parseDouble(Settings.byKey(setting).orElseThrow().defaultValue());
        assertEquals(cardMm3, settingDefault, setting + " default");
        assertEquals(cardMm3, PostprocessConfig.DEFAULTS.minComponentMm3(), "PostprocessConfig.DEFAULTS (used by analyze)");
        assertEquals(PostprocessConfig.DEFAULTS.threshold(), evaluated.path("threshold").asDouble(Double.NaN), "lesion threshold");
        JsonNode gate = evaluated.path("physics_gate");
        assertTrue(gate.isObject(), "the card records the physics gate its metrics assume");
        PhysicsGate worker = PostprocessConfig.DEFAULTS.gate();
        assertTrue(worker.enabled(), "the gate is on by default");
        assertEquals(gate.path("min_hu").asDouble(Double.NaN), worker.minHu(), "gate min-hu");
        assertEquals(gate.path("max_hu").asDouble(Double.NaN), worker.maxHu(), "gate max-hu");
        assertEquals(gate.path("radius_mm").asDouble(Double.NaN), worker.radiusMm(), "gate radius-mm");
        assertEquals(Double.toString(worker.minHu()).replace(".0", ""), Settings.byKey("results.gate.min-hu").orElseThrow().defaultValue());
        assertEquals(Double.toString(worker.maxHu()).replace(".0", ""), Settings.byKey("results.gate.max-hu").orElseThrow().defaultValue());
        assertEquals(worker.radiusMm(), Double.parseDouble(Settings.byKey("results.gate.radius-mm").orElseThrow().defaultValue()));
    }
}
