package org.ichtriage.alerts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A record on ich.alert-status.v1 (schemas/ich-alert-status.v1.schema.json): one attempt to send one
 * result event to one destination of one output, or the rule's decision not to send it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AlertStatus(
        @JsonProperty("schema") String schema,
        @JsonProperty("event_id") String eventId,
        @JsonProperty("series_instance_uid") String seriesInstanceUid,
        @JsonProperty("revision") Integer revision,
        @JsonProperty("triage_category") String triageCategory,
        @JsonProperty("output") String output,
        @JsonProperty("destination") String destination,
        @JsonProperty("outcome") Outcome outcome,
        @JsonProperty("attempt") int attempt,
        @JsonProperty("max_attempts") int maxAttempts,
        @JsonProperty("detail") String detail,
        @JsonProperty("duration_ms") Long durationMs,
        @JsonProperty("at") String at) {

    public static final String SCHEMA = "ich-alert-status.v1";

    /** SENT: accepted. RETRY: failed, another attempt follows. FAILED: the last attempt failed, a dead letter follows. SKIPPED: the rule chose not to send. */
    public enum Outcome { SENT, RETRY, FAILED, SKIPPED }
}
