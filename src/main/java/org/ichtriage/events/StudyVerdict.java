package org.ichtriage.events;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One verdict per study on ich.study-results.v1 (schemas/ich-study-result.v1.schema.json), revised
 * each time another series of the study gets a result. The most urgent series decides (rule
 * {@link #RULE_MOST_URGENT}); every analysed series is listed with its own finding.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StudyVerdict(
        @JsonProperty("schema") String schema,
        @JsonProperty("study_instance_uid") String studyInstanceUid,
        @JsonProperty("revision") int revision,
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("accession_number") String accessionNumber,
        @JsonProperty("patient") ResultEvent.Patient patient,
        @JsonProperty("triage_category") String triageCategory,
        @JsonProperty("ich_detected") boolean ichDetected,
        @JsonProperty("volume_ml") double volumeMl,
        @JsonProperty("rule") String rule,
        @JsonProperty("deciding_series") SeriesFinding decidingSeries,
        @JsonProperty("series") List<SeriesFinding> series) {

    public static final String SCHEMA = "ich-study-result.v1";
    /** The series with the most urgent triage category decides; among equals the larger volume, then the later event. */
    public static final String RULE_MOST_URGENT = "most-urgent-series";

    /** One analysed series of the study, as its latest result revision says. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SeriesFinding(@JsonProperty("series_instance_uid") String seriesInstanceUid,
                                @JsonProperty("event_id") String eventId,
                                @JsonProperty("revision") int revision,
                                @JsonProperty("series_description") String seriesDescription,
                                @JsonProperty("slice_count") int sliceCount,
                                @JsonProperty("triage_category") String triageCategory,
                                @JsonProperty("ich_detected") boolean ichDetected,
                                @JsonProperty("large_volume") boolean largeVolume,
                                @JsonProperty("volume_ml") double volumeMl,
                                @JsonProperty("created_at") String createdAt) {}
}
