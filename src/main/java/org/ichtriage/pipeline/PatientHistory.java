package org.ichtriage.pipeline;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

import org.ichtriage.analysis.PatientHistoryEntry;

/**
 * The value of the patient-history store: the patient's most recent results, newest last. Kept as
 * its own JSON shape (not PatientHistoryEntry itself) so that the stored layout is explicit and the
 * domain record can change without breaking a changelog written by an older worker.
 */
public record PatientHistory(@JsonProperty("entries") List<Entry> entries) {

    public record Entry(@JsonProperty("event_id") String eventId,
                        @JsonProperty("study") String studyInstanceUid,
                        @JsonProperty("ml") double volumeMl,
                        @JsonProperty("low") double intervalLow,
                        @JsonProperty("high") double intervalHigh,
                        @JsonProperty("time") String time) {

        static Entry of(PatientHistoryEntry e) {
            return new Entry(e.eventId(), e.studyInstanceUid(), e.volumeMl(), e.intervalLow(), e.intervalHigh(), e.time().toString());
        }

        PatientHistoryEntry toDomain() {
            return new PatientHistoryEntry(eventId, studyInstanceUid, volumeMl, intervalLow, intervalHigh, Instant.parse(time));
        }
    }

    public PatientHistory {
        entries = entries == null ? List.of() : List.copyOf(entries);
    }

    public List<PatientHistoryEntry> toDomain() {
        return entries.stream().map(Entry::toDomain).toList();
    }
}
