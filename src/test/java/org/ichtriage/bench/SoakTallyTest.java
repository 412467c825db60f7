package org.ichtriage.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.ichtriage.events.DeadLetter;
import org.ichtriage.events.EventJson;
import org.junit.jupiter.api.Test;

/** The soak's verdict from what the senders were told and what the topics hold. */
class SoakTallyTest {

    private static SoakTally.Acknowledged ack(String sop, String series, long at) {
        return new SoakTally.Acknowledged(sop, series, at);
    }

    @Test
    void everyAcknowledgedInstanceStoredAndOneResultPerRevisionPasses() {
        SoakTally t = new SoakTally();
        t.acknowledged(ack("1.1", "S1", 1_000));
        t.acknowledged(ack("1.2", "S1", 1_400));
        t.acknowledged(ack("2.1", "S2", 2_000));
        List.of("1.1", "1.2", "2.1").forEach(t::onInstanceTopic);
        t.result(new SoakTally.ResultSeen("S1", 1, 3_400));
        t.result(new SoakTally.ResultSeen("S2", 1, 2_500));

        SoakTally.Report r = t.report();

        assertTrue(r.passed(), r.toString());
        assertEquals(3, r.acknowledged());
        assertEquals(3, r.distinctOnTopic());
        assertEquals(2, r.seriesSent());
        assertEquals(2, r.seriesWithResult());
        assertEquals(0, r.duplicatedInstances());
        // from the LAST acknowledgement of each series: 3400 - 1400 and 2500 - 2000
        assertEquals(new SoakTally.Latency(2, 500, 2000, 2000), r.latency());
    }

    @Test
    void anAcknowledgedInstanceMissingFromTheTopicFailsAndIsNamed() {
        SoakTally t = new SoakTally();
        t.acknowledged(ack("1.1", "S1", 0));
        t.acknowledged(ack("1.2", "S1", 0));
        t.onInstanceTopic("1.1");
        t.result(new SoakTally.ResultSeen("S1", 1, 10));

        SoakTally.Report r = t.report();

        assertFalse(r.passed());
        assertEquals(List.of("1.2"), r.lost());
    }

    @Test
    void aSecondResultForOneRevisionFailsButANewRevisionDoesNot() {
        SoakTally t = new SoakTally();
        t.acknowledged(ack("1.1", "S1", 0));
        t.acknowledged(ack("2.1", "S2", 0));
        t.onInstanceTopic("1.1");
        t.onInstanceTopic("2.1");
        t.result(new SoakTally.ResultSeen("S1", 1, 10));
        t.result(new SoakTally.ResultSeen("S1", 2, 20));
        t.result(new SoakTally.ResultSeen("S2", 1, 10));
        t.result(new SoakTally.ResultSeen("S2", 1, 30));

        SoakTally.Report r = t.report();

        assertFalse(r.passed());
        assertEquals(Map.of(new SoakTally.SeriesRevision("S2", 1), 2), r.revisionsWithSeveralResults());
        assertEquals(3, r.revisionsWithResult());
        // S1's latency is taken at its highest revision's result
        assertEquals(20, r.latency().maxMs());
    }

    @Test
    void resentCopiesAreCountedAsDuplicatesNotLosses() {
        SoakTally t = new SoakTally();
        t.acknowledged(ack("1.1", "S1", 0));
        t.onInstanceTopic("1.1");
        t.onInstanceTopic("1.1"); // refused after the broker had it, then resent and acknowledged
        t.onInstanceTopic("1.1");
        t.onInstanceTopic("9.9"); // written, refused, never acknowledged (the sender gave up)
        t.result(new SoakTally.ResultSeen("S1", 1, 5));

        SoakTally.Report r = t.report();

        assertTrue(r.passed(), r.toString());
        assertEquals(2, r.duplicatedInstances() + r.notAcknowledgedOnTopic());
        assertEquals(2, r.extraInstanceCopies());
        assertEquals(2, r.distinctOnTopic());
    }

    @Test
    void aSeriesAnsweredByADeadLetterIsAnsweredAndOneWithNothingFails() {
        DeadLetter fromTheTopic = EventJson.fromBytes(("{\"schema\":\"ich-deadletter.v1\",\"created_at\":\"2026-01-01T00:00:00Z\","
                + "\"stage\":\"pipeline\",\"reason\":\"ANALYSIS_NOT_FINISHED\",\"detail\":\"started 2 times\","
                + "\"series_instance_uid\":\"S1\",\"revision\":1,\"sop_instance_uids\":[\"1.1\"]}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), DeadLetter.class);
        SoakTally t = new SoakTally();
        t.acknowledged(ack("1.1", "S1", 0));
        t.acknowledged(ack("2.1", "S2", 0));
        t.onInstanceTopic("1.1");
        t.onInstanceTopic("2.1");
        t.deadLetter(new SoakTally.DeadLetterSeen(fromTheTopic.seriesInstanceUid(), fromTheTopic.revision(), fromTheTopic.reason()));

        SoakTally.Report r = t.report();

        assertEquals(1, r.seriesDeadLetterOnly());
        assertEquals(List.of("S2"), r.unanswered());
        assertEquals(Map.of("ANALYSIS_NOT_FINISHED", 1), r.deadLetterReasons());
        assertFalse(r.passed());
    }

    @Test
    void nearestRankPercentiles() {
        List<Long> hundred = new ArrayList<>();
        for (long v = 100; v >= 1; v--) {
            hundred.add(v * 10);
        }
        assertEquals(new SoakTally.Latency(100, 500, 950, 1000), SoakTally.latency(hundred));
        assertEquals(new SoakTally.Latency(1, 7, 7, 7), SoakTally.latency(List.of(7L)));
        // 3 values: rank ceil(1.5) = 2 for p50, ceil(2.85) = 3 for p95
        assertEquals(new SoakTally.Latency(3, 20, 30, 30), SoakTally.latency(List.of(30L, 10L, 20L)));
        assertEquals(new SoakTally.Latency(0, 0, 0, 0), SoakTally.latency(List.of()));
    }
}
