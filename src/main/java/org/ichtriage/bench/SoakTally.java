package org.ichtriage.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The soak's bookkeeping: what the senders were told was stored, and what the topics hold at the end.
 * The verdict is the issue's: no acknowledged instance missing from ich.instances.v1, and exactly one
 * result per series revision (a series whose revision ended as a dead letter is answered, not lost).
 */
public final class SoakTally {
    /** An instance a sender got a Success (0000) C-STORE-RSP for, and when. */
    public record Acknowledged(String sopInstanceUid, String seriesInstanceUid, long ackedAtMs) {}

    /** One record on ich.results.v1: its series, revision and record timestamp. */
    public record ResultSeen(String seriesInstanceUid, int revision, long recordTimestampMs) {}

    /** One record on ich.deadletter.v1 written by the pipeline for a series (revision null when the record has none). */
    public record DeadLetterSeen(String seriesInstanceUid, Integer revision, String reason) {}

    /** A series and one of its revisions. */
    public record SeriesRevision(String seriesInstanceUid, int revision) {}

    /** Latency from the last acknowledged instance of a series to its result, nearest-rank percentiles. */
    public record Latency(int series, long p50Ms, long p95Ms, long maxMs) {}

    /**
     * @param lost acknowledged SOP Instance UIDs absent from the instance topic (must be empty)
     * @param notAcknowledgedOnTopic distinct instances on the topic that no sender was told were stored (a refusal after the write, then resent)
     * @param duplicatedInstances distinct instances present more than once on the topic
     * @param extraInstanceCopies copies beyond the first, over all instances
     * @param seriesSent series with at least one acknowledged instance
     * @param seriesWithResult of those, series with at least one result
     * @param seriesDeadLetterOnly of those, series answered only by dead letters
     * @param unanswered series with neither a result nor a dead letter
     * @param revisionsWithResult distinct (series, revision) pairs on the result topic
     * @param revisionsWithSeveralResults pairs with more than one result record, and how many
     * @param deadLetterReasons dead-letter records per reason
     */
    public record Report(int acknowledged, int distinctOnTopic, List<String> lost, int notAcknowledgedOnTopic,
                         int duplicatedInstances, int extraInstanceCopies, int seriesSent, int seriesWithResult,
                         int seriesDeadLetterOnly, List<String> unanswered, int revisionsWithResult,
                         Map<SeriesRevision, Integer> revisionsWithSeveralResults, Map<String, Integer> deadLetterReasons,
                         Latency latency) {
        /** The done condition: nothing acknowledged lost, every series answered, no revision answered twice. */
        public boolean passed() {
            return lost.isEmpty() && unanswered.isEmpty() && revisionsWithSeveralResults.isEmpty();
        }
    }

    private final Map<String, Acknowledged> acknowledged = new HashMap<>();
    private final Map<String, Integer> copiesOnTopic = new HashMap<>();
    private final Map<SeriesRevision, List<Long>> results = new HashMap<>();
    private final List<DeadLetterSeen> deadLetters = new ArrayList<>();

    public void acknowledged(Acknowledged a) {
        acknowledged.put(a.sopInstanceUid(), a);
    }

    public void onInstanceTopic(String sopInstanceUid) {
        copiesOnTopic.merge(sopInstanceUid, 1, Integer::sum);
    }

    public void result(ResultSeen r) {
        results.computeIfAbsent(new SeriesRevision(r.seriesInstanceUid(), r.revision()), k -> new ArrayList<>())
                .add(r.recordTimestampMs());
    }

    public void deadLetter(DeadLetterSeen d) {
        deadLetters.add(d);
    }

    public Report report() {
        List<String> lost = acknowledged.keySet().stream().filter(sop -> !copiesOnTopic.containsKey(sop)).sorted().toList();
        int notAcknowledged = (int) copiesOnTopic.keySet().stream().filter(sop -> !acknowledged.containsKey(sop)).count();
        int duplicated = (int) copiesOnTopic.values().stream().filter(c -> c > 1).count();
        int extra = copiesOnTopic.values().stream().mapToInt(c -> c - 1).sum();

        Map<String, Long> lastAck = new HashMap<>();
        for (Acknowledged a : acknowledged.values()) {
            lastAck.merge(a.seriesInstanceUid(), a.ackedAtMs(), Math::max);
        }
        // per series, the result of its highest revision: the one that covers the last acknowledged instance
        Map<String, SeriesRevision> latestRevision = new HashMap<>();
        Map<SeriesRevision, Integer> several = new TreeMap<>(
                java.util.Comparator.comparing(SeriesRevision::seriesInstanceUid).thenComparingInt(SeriesRevision::revision));
        for (var e : results.entrySet()) {
            latestRevision.merge(e.getKey().seriesInstanceUid(), e.getKey(),
                    (a, b) -> a.revision() >= b.revision() ? a : b);
            if (e.getValue().size() > 1) {
                several.put(e.getKey(), e.getValue().size());
            }
        }
        Set<String> deadLettered = new HashSet<>();
        Map<String, Integer> reasons = new TreeMap<>();
        for (DeadLetterSeen d : deadLetters) {
            deadLettered.add(d.seriesInstanceUid());
            reasons.merge(d.reason(), 1, Integer::sum);
        }
        int withResult = 0;
        int deadLetterOnly = 0;
        List<String> unanswered = new ArrayList<>();
        List<Long> latencies = new ArrayList<>();
        for (var e : lastAck.entrySet()) {
            SeriesRevision latest = latestRevision.get(e.getKey());
            if (latest != null) {
                withResult++;
                long resultAt = results.get(latest).stream().mapToLong(Long::longValue).min().orElseThrow();
                latencies.add(resultAt - e.getValue());
            } else if (deadLettered.contains(e.getKey())) {
                deadLetterOnly++;
            } else {
                unanswered.add(e.getKey());
            }
        }
        unanswered.sort(null);
        return new Report(acknowledged.size(), copiesOnTopic.size(), lost, notAcknowledged, duplicated, extra,
                lastAck.size(), withResult, deadLetterOnly, unanswered, results.size(), several, reasons,
                latency(latencies));
    }

    /** Nearest-rank percentiles: the smallest value with at least p % of the values at or below it. */
    static Latency latency(List<Long> values) {
        if (values.isEmpty()) {
            return new Latency(0, 0, 0, 0);
        }
        long[] sorted = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return new Latency(sorted.length, nearestRank(sorted, 50), nearestRank(sorted, 95), sorted[sorted.length - 1]);
    }

    static long nearestRank(long[] sorted, int percent) {
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
