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
        @JsonProperty("triage_category") String triageCategory,
        @JsonProperty("seg") Seg seg,
        @JsonProperty("key_images") List<String> keyImageSopInstanceUids,
        @JsonProperty("forwarding") Forwarding forwarding,
        @JsonProperty("expansion") Expansion expansion,
        @JsonProperty("model") Model model,
        @JsonProperty("software") Software software,
        @JsonProperty("provenance") Provenance provenance,
        @JsonProperty("timings_ms") Timings timingsMs,
        @JsonProperty("study_time") String studyTime,
        @JsonProperty("study_description") String studyDescription,
        @JsonProperty("series_description") String seriesDescription) {

    public static final String SCHEMA = "ich-result.v1";

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this event's fields, to change a few of them. */
    public Builder toBuilder() {
        return new Builder().eventId(eventId).revision(revision).createdAt(createdAt).studyInstanceUid(studyInstanceUid)
                .seriesInstanceUid(seriesInstanceUid).accessionNumber(accessionNumber).patient(patient).volume(volume)
                .uncertainty(uncertainty).flags(flags).triageCategory(triageCategory).seg(seg).keyImageSopInstanceUids(keyImageSopInstanceUids)
                .forwarding(forwarding).expansion(expansion).model(model).software(software).provenance(provenance)
                .timingsMs(timingsMs).studyTime(studyTime).studyDescription(studyDescription).seriesDescription(seriesDescription)
                .schema(schema);
    }

    public ResultEvent withExpansion(Expansion newExpansion) {
        return toBuilder().expansion(newExpansion).build();
    }

    public ResultEvent withStudyTime(String newStudyTime) {
        return toBuilder().studyTime(newStudyTime).build();
    }

    /** The event's fields by name; schema defaults to {@link #SCHEMA}, optional fields to null. */
    public static final class Builder {
        private String schema = SCHEMA;
        private String eventId;
        private int revision;
        private String createdAt;
        private String studyInstanceUid;
        private String seriesInstanceUid;
        private String accessionNumber;
        private Patient patient;
        private Volume volume;
        private Uncertainty uncertainty;
        private Flags flags;
        private String triageCategory;
        private Seg seg;
        private List<String> keyImageSopInstanceUids;
        private Forwarding forwarding;
        private Expansion expansion;
        private Model model;
        private Software software;
        private Provenance provenance;
        private Timings timingsMs;
        private String studyTime;
        private String studyDescription;
        private String seriesDescription;

        private Builder() {
        }

        public Builder schema(String v) { schema = v; return this; }
        public Builder eventId(String v) { eventId = v; return this; }
        public Builder revision(int v) { revision = v; return this; }
        public Builder createdAt(String v) { createdAt = v; return this; }
        public Builder studyInstanceUid(String v) { studyInstanceUid = v; return this; }
        public Builder seriesInstanceUid(String v) { seriesInstanceUid = v; return this; }
        public Builder accessionNumber(String v) { accessionNumber = v; return this; }
        public Builder patient(Patient v) { patient = v; return this; }
        public Builder volume(Volume v) { volume = v; return this; }
        public Builder uncertainty(Uncertainty v) { uncertainty = v; return this; }
        public Builder flags(Flags v) { flags = v; return this; }
        /** {@link TriageCategory#wire()}: positive, indeterminate or negative. */
        public Builder triageCategory(String v) { triageCategory = v; return this; }
        public Builder seg(Seg v) { seg = v; return this; }
        public Builder keyImageSopInstanceUids(List<String> v) { keyImageSopInstanceUids = v; return this; }
        public Builder forwarding(Forwarding v) { forwarding = v; return this; }
        public Builder expansion(Expansion v) { expansion = v; return this; }
        public Builder model(Model v) { model = v; return this; }
        public Builder software(Software v) { software = v; return this; }
        public Builder provenance(Provenance v) { provenance = v; return this; }
        public Builder timingsMs(Timings v) { timingsMs = v; return this; }
        public Builder studyTime(String v) { studyTime = v; return this; }
        public Builder studyDescription(String v) { studyDescription = v; return this; }
        public Builder seriesDescription(String v) { seriesDescription = v; return this; }

        public ResultEvent build() {
            return new ResultEvent(schema, eventId, revision, createdAt, studyInstanceUid, seriesInstanceUid, accessionNumber,
                    patient, volume, uncertainty, flags, triageCategory, seg, keyImageSopInstanceUids, forwarding, expansion, model, software,
                    provenance, timingsMs, studyTime, studyDescription, seriesDescription);
        }
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

    /** @param status a {@link ForwardingState} name; a string on the wire so that a newer state does not break older readers */
    public record Forwarding(@JsonProperty("status") String status,
                             @JsonProperty("destinations") List<String> destinations) {
        public Forwarding(ForwardingState state, List<String> destinations) {
            this(state.name(), destinations);
        }
    }

    /** The forwarding state a result is published with; the forwarder reports each object on ich.forwarding.v1. */
    public enum ForwardingState { PENDING, NOT_CONFIGURED }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Expansion(@JsonProperty("previous_event_id") String previousEventId,
                            @JsonProperty("previous_volume_ml") double previousVolumeMl,
                            @JsonProperty("previous_time") String previousTime,
                            @JsonProperty("hours_between") double hoursBetween,
                            @JsonProperty("absolute_change_ml") double absoluteChangeMl,
                            @JsonProperty("relative_change") Double relativeChange,
                            @JsonProperty("hematoma_expansion") String hematomaExpansion) {
        public Expansion(String previousEventId, double previousVolumeMl, String previousTime, double hoursBetween,
                         double absoluteChangeMl, Double relativeChange, HematomaExpansion call) {
            this(previousEventId, previousVolumeMl, previousTime, hoursBetween, absoluteChangeMl, relativeChange, call.text());
        }
    }

    /** The expansion call and its text in the event: "yes", "possible" or "no". */
    public enum HematomaExpansion {
        YES("yes"), POSSIBLE("possible"), NO("no");

        private final String text;

        HematomaExpansion(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

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
