package org.ichtriage.pipeline;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.apache.kafka.streams.state.KeyValueStore;
import org.ichtriage.analysis.ExpansionAssessor;
import org.ichtriage.analysis.PatientHistoryEntry;
import org.ichtriage.events.ResultEvent;

/**
 * Follows each patient's results in the patient-history store and fills the expansion block of a
 * new result. The store is keyed by the event's patient.key (an HMAC of issuer and PatientID), so
 * neither the store nor its changelog ever holds a PatientID.
 *
 * <p>The history keeps one entry per study (the latest result of that study: a later revision or
 * another reconstruction replaces the earlier one) and at most {@link #HISTORY_LIMIT} studies.
 */
public final class ExpansionTracker {
    public static final int HISTORY_LIMIT = 20;

    private final KeyValueStore<String, PatientHistory> store;
    private final ExpansionAssessor assessor;

    public ExpansionTracker(KeyValueStore<String, PatientHistory> store, ExpansionAssessor assessor) {
        this.store = store;
        this.assessor = assessor;
    }

    /** The event with its expansion block set when an earlier study of the patient is within the window; else as it came. */
    public ResultEvent track(ResultEvent event) {
        Optional<String> key = patientKeyOf(event);
        if (key.isEmpty()) {
            // anonymised study: there is nobody to follow up
            return event;
        }
        PatientHistoryEntry current = PatientHistoryEntry.of(event, timeOf(event));
        PatientHistory stored = store.get(key.get());
        List<PatientHistoryEntry> history = stored == null ? List.of() : stored.toDomain();
        Optional<ResultEvent.Expansion> expansion = assessor.assess(history, current);

        List<PatientHistoryEntry> updated = new ArrayList<>(history);
        updated.removeIf(e -> e.studyInstanceUid().equals(current.studyInstanceUid()));
        updated.add(current);
        updated.sort(Comparator.comparing(PatientHistoryEntry::time));
        if (updated.size() > HISTORY_LIMIT) {
            updated = updated.subList(updated.size() - HISTORY_LIMIT, updated.size());
        }
        store.put(key.get(), new PatientHistory(updated.stream().map(PatientHistory.Entry::of).toList()));
        return expansion.map(event::withExpansion).orElse(event);
    }

    static Optional<String> patientKeyOf(ResultEvent event) {
        return event.patient() == null || event.patient().key() == null ? Optional.empty() : Optional.of(event.patient().key());
    }

    /**
     * The acquisition time when the event carries one: created_at is processing time, which a
     * replay or a backlog would move, and which makes two studies read hours apart look simultaneous.
     */
    static Instant timeOf(ResultEvent event) {
        if (event.studyTime() != null) {
            try {
                return Instant.parse(event.studyTime());
            } catch (DateTimeParseException e) {
                // fall back to created_at: an unreadable study time must not lose the result
            }
        }
        return Instant.parse(event.createdAt());
    }
}
