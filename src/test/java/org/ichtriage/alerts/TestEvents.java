package org.ichtriage.alerts;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Result events as the worker writes them (schemas/ich-result.v1.schema.json), for the alert tests. */
final class TestEvents {
    static final ObjectMapper JSON = new ObjectMapper();

    private TestEvents() {}

    static ObjectNode event(String series, int revision, boolean detected, boolean uncertain, double ml) {
        ObjectNode n = JSON.createObjectNode();
        n.put("schema", "ich-result.v1");
        n.put("event_id", UUID.randomUUID().toString());
        n.put("revision", revision);
        n.put("created_at", java.time.Instant.now().minusSeconds(1).toString());
        n.put("study_instance_uid", "1.2.826.0.1.3680043.9.7777.1." + Math.abs(series.hashCode()));
        n.put("series_instance_uid", series);
        n.put("accession_number", "ACC" + Math.abs(series.hashCode() % 100000));
        n.putObject("patient").put("key", "pk-0a1b2c3d4e5f").put("name", "Doe^Jane").put("birth_date", "19500102");
        ObjectNode v = n.putObject("volume");
        v.put("ml", ml);
        v.putObject("interval_ml").put("low", ml * 0.9).put("high", ml * 1.1);
        v.put("abc2_ml", ml * 1.05);
        v.put("lesion_voxels", 1234);
        v.put("slice_count", 32);
        v.put("lesion_slice_count", 5);
        n.putObject("flags").put("ich_detected", detected).put("large_volume", ml >= 30).put("high_uncertainty", uncertain)
                .put("needs_review", uncertain);
        n.putObject("model").put("name", "slexnet-ich").put("version", "1.2.0").put("sha256", "ab".repeat(32)).put("provider", "CPU");
        return n;
    }

    static byte[] bytes(ObjectNode n) {
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    static AlertEvent parse(ObjectNode n) throws AlertEvent.UnreadableEventException {
        return AlertEvent.parse(bytes(n));
    }
}
