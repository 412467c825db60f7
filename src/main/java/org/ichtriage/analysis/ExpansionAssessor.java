package org.ichtriage.analysis;

import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;
import org.ichtriage.events.ResultEvent;

/**
 * Hematoma expansion between two results of one patient, with the common clinical definition:
 * growth over an absolute limit (6 mL) or over a relative one (33%). A crossed limit is called
 * "yes" only when the uncertainty intervals are apart (the current low end above the previous
 * high end); when they overlap the model cannot tell growth from its own wobble, so it says
 * "possible". Pure domain: no Kafka, no clock.
 */
public final class ExpansionAssessor {
    private static final double MILLIS_PER_HOUR = 3_600_000.0;

    private final Duration window;
    private final double absoluteMl;
    private final double relative;

    /**
     * @param windowHours a previous result older than this is not compared
     * @param absoluteMl  growth strictly above this many mL crosses the limit
     * @param relative    growth strictly above this fraction of the previous volume crosses the limit
     */
    public ExpansionAssessor(double windowHours, double absoluteMl, double relative) {
        if (!(windowHours > 0) || !Double.isFinite(windowHours)) {
            throw new IllegalArgumentException("windowHours must be > 0, got " + windowHours);
        }
        if (!(absoluteMl > 0) || !Double.isFinite(absoluteMl)) {
            throw new IllegalArgumentException("absoluteMl must be > 0, got " + absoluteMl);
        }
        if (!(relative > 0) || !Double.isFinite(relative)) {
            throw new IllegalArgumentException("relative must be > 0, got " + relative);
        }
        this.window = Duration.ofMillis(Math.round(windowHours * MILLIS_PER_HOUR));
        this.absoluteMl = absoluteMl;
        this.relative = relative;
    }

    /**
     * The entry to compare the current result with: the most recent one strictly earlier than it,
     * within the window, from another study. Another series of the same study (a second
     * reconstruction) is the same bleed at the same moment, not a follow-up.
     */
    public Optional<PatientHistoryEntry> previousFor(Collection<PatientHistoryEntry> history, PatientHistoryEntry current) {
        return history.stream()
                .filter(e -> !e.studyInstanceUid().equals(current.studyInstanceUid()))
                .filter(e -> withinWindow(e, current))
                .max(Comparator.comparing(PatientHistoryEntry::time));
    }

    /** {@link #previousFor} then {@link #assess}: empty when there is nothing to compare with. */
    public Optional<ResultEvent.Expansion> assess(Collection<PatientHistoryEntry> history, PatientHistoryEntry current) {
        return previousFor(history, current).flatMap(p -> assess(p, current));
    }

    /** Empty when the previous result is not strictly earlier than the current one, or older than the window. */
    public Optional<ResultEvent.Expansion> assess(PatientHistoryEntry previous, PatientHistoryEntry current) {
        if (!withinWindow(previous, current)) {
            return Optional.empty();
        }
        double change = current.volumeMl() - previous.volumeMl();
        // Relative growth from nothing is undefined; then only the absolute limit can fire.
        Double relativeChange = previous.volumeMl() > 0 ? change / previous.volumeMl() : null;
        boolean crossed = change > absoluteMl || (relativeChange != null && relativeChange > relative);
        ResultEvent.HematomaExpansion flag;
        if (!crossed) {
            flag = ResultEvent.HematomaExpansion.NO;
        } else if (current.intervalLow() > previous.intervalHigh()) {
            flag = ResultEvent.HematomaExpansion.YES;
        } else {
            flag = ResultEvent.HematomaExpansion.POSSIBLE;
        }
        double hours = Duration.between(previous.time(), current.time()).toMillis() / MILLIS_PER_HOUR;
        return Optional.of(new ResultEvent.Expansion(previous.eventId(), previous.volumeMl(), previous.time().toString(),
                hours, change, relativeChange, flag));
    }

    private boolean withinWindow(PatientHistoryEntry previous, PatientHistoryEntry current) {
        Duration gap = Duration.between(previous.time(), current.time());
        return !gap.isNegative() && !gap.isZero() && gap.compareTo(window) <= 0;
    }
}
