package org.ichtriage.pipeline;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

import org.ichtriage.events.StudyVerdict;

/** The study stage's memory of one study: the latest finding of each series and the verdict's revision. */
public record StudyState(@JsonProperty("revision") int revision,
                         @JsonProperty("findings") List<StudyVerdict.SeriesFinding> findings,
                         @JsonProperty("updated_ms") long updatedMs) {
    public StudyState {
        findings = List.copyOf(findings);
    }
}
