package org.ichtriage.events;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A record on ich.deadletter.v1: why an input could not give a result, and exactly which input it was.
 * {@code destination} (AE@host:port) is set only by the PACS forwarder, for the destination it gave up on.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeadLetter(
        @JsonProperty("schema") String schema,
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("stage") String stage,
        @JsonProperty("reason") String reason,
        @JsonProperty("detail") String detail,
        @JsonProperty("series_instance_uid") String seriesInstanceUid,
        @JsonProperty("revision") Integer revision,
        @JsonProperty("sop_instance_uids") List<String> sopInstanceUids,
        @JsonProperty("source_topic") String sourceTopic,
        @JsonProperty("offsets") List<ResultEvent.OffsetRange> offsets,
        @JsonProperty("software_version") String softwareVersion,
        @JsonProperty("destination") String destination) {

    public static final String SCHEMA = "ich-deadletter.v1";
}
