package org.ichtriage.events;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A record on ich.skipped.v1 (schemas/ich-skipped.v1.schema.json): a series the worker did not analyse
 * because it is not what the model reads (a chest CT, a bone-kernel or contrast series, a reformat),
 * with the rule that decided it. Not an error: it is not on the dead-letter topic.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SkippedSeries(
        @JsonProperty("schema") String schema,
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("series_instance_uid") String seriesInstanceUid,
        @JsonProperty("study_instance_uid") String studyInstanceUid,
        @JsonProperty("revision") int revision,
        @JsonProperty("reason") String reason,
        @JsonProperty("detail") String detail,
        @JsonProperty("instance_count") int instanceCount,
        @JsonProperty("source_topic") String sourceTopic,
        @JsonProperty("offsets") List<ResultEvent.OffsetRange> offsets,
        @JsonProperty("software_version") String softwareVersion) {

    public static final String SCHEMA = "ich-skipped.v1";
}
