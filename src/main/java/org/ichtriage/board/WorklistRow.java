package org.ichtriage.board;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import org.ichtriage.events.DeadLetter;
import org.ichtriage.events.ResultEvent;

/**
 * One line of the worklist, as the page receives it (JSON): a result's finding or a dead letter's
 * problem. Flags travel as words, so that the page never carries a finding by colour alone.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorklistRow(
        @JsonProperty("key") String key,
        @JsonProperty("priority") Priority priority,
        @JsonProperty("priority_label") String priorityLabel,
        @JsonProperty("time") String time,
        @JsonProperty("series_instance_uid") String seriesInstanceUid,
        @JsonProperty("study") Study study,
        @JsonProperty("finding") Finding finding,
        @JsonProperty("problem") Problem problem,
        @JsonProperty("study_verdict") StudyContext studyVerdict) {

    /** Where this series stands in its study's verdict (#14): one line a reader needs beside the series' own finding. */
    public record StudyContext(@JsonProperty("triage_category") String triageCategory,
                               @JsonProperty("series_count") int seriesCount,
                               @JsonProperty("decides") boolean decides) {}

    WorklistRow withStudy(StudyContext context) {
        return new WorklistRow(key, priority, priorityLabel, time, seriesInstanceUid, study, finding, problem, context);
    }

    /** What identifies the study to a reader; the name only when results.include-patient-name put it in the event. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Study(@JsonProperty("study_instance_uid") String studyInstanceUid,
                        @JsonProperty("accession_number") String accessionNumber,
                        @JsonProperty("patient_name") String patientName,
                        @JsonProperty("study_description") String studyDescription,
                        @JsonProperty("series_description") String seriesDescription) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Finding(@JsonProperty("event_id") String eventId,
                          @JsonProperty("revision") int revision,
                          @JsonProperty("volume_ml") double volumeMl,
                          @JsonProperty("interval_ml") ResultEvent.Interval intervalMl,
                          @JsonProperty("triage_category") String triageCategory,
                          @JsonProperty("flags") List<String> flags,
                          @JsonProperty("expansion") String expansion,
                          @JsonProperty("model_version") String modelVersion,
                          @JsonProperty("forwarding") String forwarding) {}

    public record Problem(@JsonProperty("stage") String stage,
                          @JsonProperty("reason") String reason,
                          @JsonProperty("detail") String detail) {}

    static WorklistRow of(ResultEvent e, String time, String forwarding) {
        List<String> flags = new ArrayList<>();
        if (e.flags().ichDetected()) {
            flags.add("ICH");
        }
        if (e.flags().largeVolume()) {
            flags.add("LARGE");
        }
        if (e.flags().highUncertainty()) {
            flags.add("UNCERTAIN");
        }
        if (e.flags().needsReview()) {
            flags.add("REVIEW");
        }
        String expansion = e.expansion() == null ? null : e.expansion().hematomaExpansion();
        if (ResultEvent.HematomaExpansion.YES.text().equals(expansion)) {
            flags.add("EXPANSION");
        }
        Priority p = Priority.of(e);
        return new WorklistRow("result:" + e.seriesInstanceUid(), p, p.label(), time, e.seriesInstanceUid(),
                new Study(e.studyInstanceUid(), e.accessionNumber(), e.patient() == null ? null : e.patient().name(),
                        e.studyDescription(), e.seriesDescription()),
                new Finding(e.eventId(), e.revision(), e.volume().ml(), e.volume().intervalMl(), e.triageCategory(),
                        List.copyOf(flags), expansion, e.model().version(), forwarding),
                null, null);
    }

    static WorklistRow of(DeadLetter d, String key) {
        return new WorklistRow(key, Priority.DEAD_LETTER, Priority.DEAD_LETTER.label(), d.createdAt(), d.seriesInstanceUid(),
                null, null, new Problem(d.stage(), d.reason(), d.detail()), null);
    }
}
