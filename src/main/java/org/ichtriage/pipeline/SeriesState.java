package org.ichtriage.pipeline;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What the assembly processor knows of one series between records. Immutable; each change is a new
 * value written back to the store (and its changelog), so a restarted worker resumes exactly here.
 */
public record SeriesState(
        @JsonProperty("series") String seriesInstanceUid,
        @JsonProperty("status") Status status,
        @JsonProperty("revision") int revision,
        @JsonProperty("first_seen_ms") long firstSeenMs,
        @JsonProperty("last_seen_ms") long lastSeenMs,
        @JsonProperty("instances") int instanceCount,
        @JsonProperty("bytes") long totalBytes,
        @JsonProperty("expected") Integer expectedCount,
        @JsonProperty("force") boolean forceComplete,
        @JsonProperty("closed_at_ms") long closedAtMs,
        @JsonProperty("acquisition") Integer acquisition,
        @JsonProperty("mixed_acquisitions") boolean mixedAcquisitions,
        @JsonProperty("stack") StackCoverage stack,
        @JsonProperty("last_received_ms") long lastReceivedMs) {

    public SeriesState {
        // state written before early completion existed has no stack: it completes by the gap
        stack = stack == null ? new StackCoverage(null, null, null, true) : stack;
    }

    /** COMPLETED: analysed (into a result or a refusal); REFUSED: a limit was exceeded and its slices dropped. */
    public enum Status { OPEN, COMPLETED, REFUSED }

    public static SeriesState open(String series, int revision, long now) {
        return new SeriesState(series, Status.OPEN, revision, now, now, 0, 0, null, false, 0, null, false, StackCoverage.empty(), 0);
    }

    public SeriesState withInstance(long now, long bytes, Integer expected, Integer acquisitionNumber, Double positionMm, Double spacingMm) {
        boolean mixed = mixedAcquisitions
                || (instanceCount > 0 && !java.util.Objects.equals(acquisition, acquisitionNumber));
        return new SeriesState(seriesInstanceUid, status, revision, firstSeenMs, now, instanceCount + 1,
                totalBytes + bytes, expected != null ? expected : expectedCount, forceComplete, closedAtMs,
                instanceCount == 0 ? acquisitionNumber : acquisition, mixed, stack.with(positionMm, spacingMm), lastReceivedMs);
    }

    /** A duplicate SOP Instance UID: it replaces the stored copy and counts as activity, not as a new instance. */
    public SeriesState touched(long now) {
        return new SeriesState(seriesInstanceUid, status, revision, firstSeenMs, now, instanceCount, totalBytes,
                expectedCount, forceComplete, closedAtMs, acquisition, mixedAcquisitions, stack, lastReceivedMs);
    }

    /** A reopened series keeps the instances of its earlier revision, which are still in the store. */
    public SeriesState withRestoredCounts(SeriesState earlier) {
        return new SeriesState(seriesInstanceUid, status, revision, firstSeenMs, lastSeenMs, earlier.instanceCount,
                // the announced count was reached already; a late burst completes by the gap instead
                earlier.totalBytes, null, false, 0, earlier.acquisition, earlier.mixedAcquisitions, earlier.stack,
                lastReceivedMs);
    }

    public SeriesState forced(long now) {
        return new SeriesState(seriesInstanceUid, status, revision, firstSeenMs, now, instanceCount, totalBytes,
                expectedCount, true, closedAtMs, acquisition, mixedAcquisitions, stack, lastReceivedMs);
    }

    public SeriesState closed(Status newStatus, long now) {
        return new SeriesState(seriesInstanceUid, newStatus, revision, firstSeenMs, lastSeenMs, instanceCount, totalBytes,
                expectedCount, false, now, acquisition, mixedAcquisitions, stack, lastReceivedMs);
    }

    /**
     * The ingest's receive time of the newest instance (ich.received-at, else the record timestamp):
     * the sender's own clock of activity, which a worker busy elsewhere cannot stretch. 0 in state
     * written before it was kept.
     */
    public SeriesState receivedAt(long receivedMs) {
        return new SeriesState(seriesInstanceUid, status, revision, firstSeenMs, lastSeenMs, instanceCount, totalBytes,
                expectedCount, forceComplete, closedAtMs, acquisition, mixedAcquisitions, stack,
                Math.max(lastReceivedMs, receivedMs));
    }
}
