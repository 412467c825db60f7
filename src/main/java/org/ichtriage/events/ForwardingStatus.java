package org.ichtriage.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A record on ich.forwarding.v1 (schemas/ich-forwarding.v1.schema.json): how one derived object
 * fared at one PACS destination. {@code dicomStatus} is the last C-STORE-RSP status in hex, or
 * null when no response came at all.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ForwardingStatus(
        @JsonProperty("schema") String schema,
        @JsonProperty("event_id") String eventId,
        @JsonProperty("series_instance_uid") String seriesInstanceUid,
        @JsonProperty("sop_instance_uid") String sopInstanceUid,
        @JsonProperty("kind") String kind,
        @JsonProperty("destination") String destination,
        @JsonProperty("status") Status status,
        @JsonProperty("attempts") int attempts,
        @JsonProperty("dicom_status") String dicomStatus,
        @JsonProperty("at") String at) {

    public static final String SCHEMA = "ich-forwarding.v1";

    public enum Status { SENT, FAILED }

    public static String hex(int status) {
        return String.format("%04X", status & 0xFFFF);
    }
}
