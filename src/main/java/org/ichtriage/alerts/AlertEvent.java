package org.ichtriage.alerts;

import org.ichtriage.events.TriageCategory;
import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the alert outputs need from a result event on ich.results.v1, read as plain JSON so that fields
 * added to the event later (triage_category, for one) never break them. Numbers absent from the event
 * are NaN; texts absent are null.
 */
public record AlertEvent(
        String eventId,
        int revision,
        String createdAt,
        String studyInstanceUid,
        String seriesInstanceUid,
        String accessionNumber,
        String patientKey,
        String patientName,
        String patientBirthDate,
        boolean ichDetected,
        boolean highUncertainty,
        boolean needsReview,
        TriageCategory category,
        double volumeMl,
        double intervalLowMl,
        double intervalHighMl,
        double abc2Ml,
        Expansion expansion,
        String modelName,
        String modelVersion,
        String modelSha256) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Follow-up against the same patient's earlier result; null when the event has none. */
    public record Expansion(String verdict, double absoluteChangeMl, double relativeChange, double previousVolumeMl,
                            String previousEventId) {}

    /** Thrown for a record that is not a result event; it is dead-lettered, never retried. */
    public static final class UnreadableEventException extends Exception {
        public UnreadableEventException(String message) {
            super(message);
        }
    }

    public static AlertEvent parse(byte[] json) throws UnreadableEventException {
        if (json == null) {
            throw new UnreadableEventException("record has no value");
        }
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (IOException e) {
            throw new UnreadableEventException("not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (n == null || !n.isObject()) {
            throw new UnreadableEventException("not a JSON object");
        }
        String eventId = text(n, "event_id");
        if (eventId == null || eventId.isBlank()) {
            throw new UnreadableEventException("no event_id");
        }
        if (text(n, "study_instance_uid") == null) {
            throw new UnreadableEventException("no study_instance_uid");
        }
        JsonNode flags = n.path("flags");
        JsonNode vol = n.path("volume");
        JsonNode exp = n.path("expansion");
        JsonNode model = n.path("model");
        JsonNode patient = n.path("patient");
        boolean detected = flags.path("ich_detected").asBoolean(false);
        boolean uncertain = flags.path("high_uncertainty").asBoolean(false);
        Expansion expansion = exp.isObject()
                ? new Expansion(text(exp, "hematoma_expansion"), num(exp, "absolute_change_ml"), num(exp, "relative_change"),
                num(exp, "previous_volume_ml"), text(exp, "previous_event_id"))
                : null;
        return new AlertEvent(eventId, n.path("revision").asInt(1), text(n, "created_at"), text(n, "study_instance_uid"),
                text(n, "series_instance_uid"), text(n, "accession_number"), text(patient, "key"), text(patient, "name"),
                text(patient, "birth_date"), detected, uncertain, flags.path("needs_review").asBoolean(false),
                category(n.path("triage_category").isTextual() ? n.path("triage_category").asText() : null, detected, uncertain),
                num(vol, "ml"), num(vol.path("interval_ml"), "low"), num(vol.path("interval_ml"), "high"), num(vol, "abc2_ml"),
                expansion, text(model, "name"), text(model, "version"), text(model, "sha256"));
    }

    /** triage_category when the event has a known one, else the rule of {@link TriageCategory#derive}. */
    static TriageCategory category(String triageCategory, boolean ichDetected, boolean highUncertainty) {
        if (triageCategory != null) {
            try {
                return TriageCategory.parse(triageCategory);
            } catch (IllegalArgumentException unknown) {
                // a value from a newer producer that we do not know: fall back to the flags
            }
        }
        return TriageCategory.derive(ichDetected, highUncertainty);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isValueNode() && !v.isNull() ? v.asText() : null;
    }

    private static double num(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isNumber() ? v.asDouble() : Double.NaN;
    }

    public boolean isRevision() {
        return revision > 1;
    }
}
