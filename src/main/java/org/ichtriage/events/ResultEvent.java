package org.ichtriage.events;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The result event on ich.results.v1, schema schemas/ich-result.v1.schema.json. Field names are a
 * contract with alert consumers: add optional fields freely, rename or remove only with a v2 topic.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResultEvent(
        @JsonProperty("schema") String schema,
        @JsonProperty("event_id") String eventId,
        @JsonProperty("revision") int revision,
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("study_instance_uid") String studyInstanceUid,
        @JsonProperty("series_instance_uid") String seriesInstanceUid,
        @JsonProperty("accession_number") String accessionNumber,
        @JsonProperty("patient") Patient patient,
        @JsonProperty("volume") Volume volume,
        @JsonProperty("uncertainty") Uncertainty uncertainty,
        @JsonProperty("flags") Flags flags,
        @JsonProperty("seg") Seg seg,
        @JsonProperty("key_images") List<String> keyImageSopInstanceUids,
        @JsonProperty("forwarding") Forwarding forwarding,
        @JsonProperty("expansion") Expansion expansion,
        @JsonProperty("model") Model model,
        @JsonProperty("software") Software software,
        @JsonProperty("provenance") Provenance provenance,
        @JsonProperty("timings_ms") Timings timingsMs,
        @JsonProperty("study_time") String studyTime) {

    public static final String SCHEMA = "ich-result.v1";

    /** The event without study_time, the shape before that optional field was added. */
    public ResultEvent(String schema, String eventId, int revision, String createdAt, String studyInstanceUid,
                       String seriesInstanceUid, String accessionNumber, Patient patient, Volume volume,
                       Uncertainty uncertainty, Flags flags, Seg seg, List<String> keyImageSopInstanceUids,
                       Forwarding forwarding, Expansion expansion, Model model, Software software,
                       Provenance provenance, Timings timingsMs) {
        this(schema, eventId, revision, createdAt, studyInstanceUid, seriesInstanceUid, accessionNumber, patient, volume,
                uncertainty, flags, seg, keyImageSopInstanceUids, forwarding, expansion, model, software, provenance,
                timingsMs, null);
    }

    public ResultEvent withExpansion(Expansion newExpansion) {
        return new ResultEvent(schema, eventId, revision, createdAt, studyInstanceUid, seriesInstanceUid, accessionNumber,
                patient, volume, uncertainty, flags, seg, keyImageSopInstanceUids, forwarding, newExpansion, model, software,
                provenance, timingsMs, studyTime);
    }

    public ResultEvent withStudyTime(String newStudyTime) {
        return new ResultEvent(schema, eventId, revision, createdAt, studyInstanceUid, seriesInstanceUid, accessionNumber,
                patient, volume, uncertainty, flags, seg, keyImageSopInstanceUids, forwarding, expansion, model, software,
                provenance, timingsMs, newStudyTime);
    }

    /** Identifying text appears only when results.include-patient-name is on; the key is a keyed hash, never the PatientID. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Patient(@JsonProperty("key") String key,
                          @JsonProperty("name") String name,
                          @JsonProperty("birth_date") String birthDate) {}

    public record Volume(@JsonProperty("ml") double ml,
                         @JsonProperty("interval_ml") Interval intervalMl,
                         @JsonProperty("abc2_ml") double abc2Ml,
                         @JsonProperty("lesion_voxels") long lesionVoxels,
                         @JsonProperty("slice_count") int sliceCount,
                         @JsonProperty("lesion_slice_count") int lesionSliceCount) {}

    /** Volumes of the p > 0.7 and p > 0.3 regions: a band within which the model's answer moves. */
    public record Interval(@JsonProperty("low") double low, @JsonProperty("high") double high) {}

    public record Uncertainty(@JsonProperty("mean_entropy_lesion") double meanEntropyLesion,
                              @JsonProperty("mean_entropy_edge") double meanEntropyEdge,
                              @JsonProperty("high_entropy_fraction") double highEntropyFraction,
                              @JsonProperty("threshold") double threshold) {}

    public record Flags(@JsonProperty("ich_detected") boolean ichDetected,
                        @JsonProperty("large_volume") boolean largeVolume,
                        @JsonProperty("high_uncertainty") boolean highUncertainty,
                        @JsonProperty("needs_review") boolean needsReview) {}

    /** The DICOM SEG of this result; empty = no hemorrhage found, so no SEG object was written. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Seg(@JsonProperty("sop_instance_uid") String sopInstanceUid,
                      @JsonProperty("series_instance_uid") String seriesInstanceUid,
                      @JsonProperty("frames") int frames,
                      @JsonProperty("empty") boolean empty) {}

    public record Forwarding(@JsonProperty("status") String status,
                             @JsonProperty("destinations") List<String> destinations) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Expansion(@JsonProperty("previous_event_id") String previousEventId,
                            @JsonProperty("previous_volume_ml") double previousVolumeMl,
                            @JsonProperty("previous_time") String previousTime,
                            @JsonProperty("hours_between") double hoursBetween,
                            @JsonProperty("absolute_change_ml") double absoluteChangeMl,
                            @JsonProperty("relative_change") Double relativeChange,
                            @JsonProperty("hematoma_expansion") String hematomaExpansion) {}

    public record Model(@JsonProperty("name") String name,
                        @JsonProperty("version") String version,
                        @JsonProperty("sha256") String sha256,
                        @JsonProperty("provider") String provider) {}

    public record Software(@JsonProperty("name") String name, @JsonProperty("version") String version) {}

    public record Provenance(@JsonProperty("source_topic") String sourceTopic,
                             @JsonProperty("offsets") List<OffsetRange> offsets,
                             @JsonProperty("instance_count") int instanceCount,
                             @JsonProperty("input_digest") String inputDigest,
                             @JsonProperty("completion_reason") String completionReason,
                             @JsonProperty("application_id") String applicationId) {}

    public record OffsetRange(@JsonProperty("partition") int partition,
                              @JsonProperty("first") long first,
                              @JsonProperty("last") long last) {}

    public record Timings(@JsonProperty("parse") long parse,
                          @JsonProperty("assembly") long assembly,
                          @JsonProperty("preprocess") long preprocess,
                          @JsonProperty("inference") long inference,
                          @JsonProperty("postprocess") long postprocess,
                          @JsonProperty("seg") long seg,
                          @JsonProperty("total") long total,
                          @JsonProperty("last_receive_to_result") long lastReceiveToResult) {}
}
