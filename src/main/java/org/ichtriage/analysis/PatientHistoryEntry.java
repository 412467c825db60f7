package org.ichtriage.analysis;

import java.time.Instant;
import java.util.Objects;
import org.ichtriage.events.ResultEvent;

/**
 * One earlier result of a patient, as the per-patient history keeps it: enough to assess expansion,
 * and nothing that identifies the patient (the history is keyed by {@link PatientKey}).
 *
 * @param intervalLow  the lower end of the volume interval (mL), from the uncertainty
 * @param intervalHigh the upper end of the volume interval (mL)
 * @param time         when the study was acquired, or received when the acquisition time is unknown
 */
public record PatientHistoryEntry(String eventId, String studyInstanceUid, double volumeMl,
                                  double intervalLow, double intervalHigh, Instant time) {
    public PatientHistoryEntry {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(studyInstanceUid, "studyInstanceUid");
        Objects.requireNonNull(time, "time");
        requireVolume("volumeMl", volumeMl);
        requireVolume("intervalLow", intervalLow);
        requireVolume("intervalHigh", intervalHigh);
        if (intervalLow > intervalHigh) {
            throw new IllegalArgumentException("volume interval of event " + eventId + " is inverted: low "
                    + intervalLow + " > high " + intervalHigh);
        }
    }

    /** The entry for a result event; the caller supplies the time, since the event's created_at is processing time. */
    public static PatientHistoryEntry of(ResultEvent event, Instant time) {
        ResultEvent.Volume v = event.volume();
        return new PatientHistoryEntry(event.eventId(), event.studyInstanceUid(), v.ml(),
                v.intervalMl().low(), v.intervalMl().high(), time);
    }

    private static void requireVolume(String name, double v) {
        if (!Double.isFinite(v) || v < 0) {
            throw new IllegalArgumentException(name + " must be a finite volume >= 0, got " + v);
        }
    }
}
