package org.ichtriage.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.ichtriage.Topics;
import org.ichtriage.analysis.SeriesAnalyzer;
import org.ichtriage.analysis.SeriesOutcome;
import org.ichtriage.events.DeadLetter;
import org.ichtriage.events.EventJson;
import org.ichtriage.phantom.CtSeriesWriter;
import org.ichtriage.testing.SampleEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A series whose analysis takes the worker down (OOM, kill -9) must not take it down after every
 * restart: once its analysis was started pipeline.max-analysis-attempts times without finishing, it
 * goes to the dead-letter topic. Each "worker" here is a fresh driver on the same state folder that
 * receives the series again, as a restarted worker does after its transaction was aborted.
 */
class PoisonSeriesTest {
    private static final long GAP = 10_000;

    /** What the JVM does when the OOM killer or kill -9 strikes: nothing after this point runs. */
    private static final class WorkerDied extends Error {
        WorkerDied() {
            super("simulated death inside the analysis");
        }
    }

    @TempDir
    Path state;

    private final AtomicInteger analyses = new AtomicInteger();

    private final SeriesAnalyzer dying = batch -> {
        analyses.incrementAndGet();
        throw new WorkerDied();
    };

    private final SeriesAnalyzer healthy = batch -> {
        analyses.incrementAndGet();
        return List.of(new SeriesOutcome.Analyzed(SampleEvents.negative(batch), Optional.empty(), List.of()));
    };

    private TopologyTestDriver worker(SeriesAnalyzer analyzer) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "poison-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:1");
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        return new TopologyTestDriver(TriageTopology.build(analyzer, new StreamLimits(GAP, 50, 64L << 20, 4, 60_000, 0, 0, 2),
                Topics.INSTANCES, Topics.RESULTS), p);
    }

    private static List<byte[]> series(CtSeriesWriter.StudyIdentity id, int n) {
        List<CtSeriesWriter.HuSlice> slices = new ArrayList<>();
        for (int i = 0; i < n; i++) slices.add(new CtSeriesWriter.HuSlice(new short[16 * 16]));
        return CtSeriesWriter.write(id, slices, 16, 16, 1.0, 5.0, false);
    }

    /** Delivers the series to a worker and lets the gap pass; returns the worker for inspection. */
    private static void deliver(TopologyTestDriver driver, CtSeriesWriter.StudyIdentity id, List<byte[]> instances) {
        TestInputTopic<String, byte[]> in = driver.createInputTopic(Topics.INSTANCES, new StringSerializer(), new ByteArraySerializer());
        instances.forEach(b -> in.pipeInput(id.seriesInstanceUid(), b));
        driver.advanceWallClockTime(Duration.ofMillis(GAP + 500));
    }

    @Test
    void aSeriesThatKilledTheWorkerTwiceIsDeadLetteredNotAnalysedAgain() {
        var id = CtSeriesWriter.StudyIdentity.random("POISON");
        List<byte[]> instances = series(id, 4);
        for (int restart = 0; restart < 2; restart++) {
            TopologyTestDriver d = worker(dying);
            assertThrows(WorkerDied.class, () -> deliver(d, id, instances));
            try {
                d.close();
            } catch (RuntimeException | Error ignored) {
                // a dead worker closes nothing cleanly; only the state folder carries over
            }
        }
        assertEquals(2, analyses.get());

        try (TopologyTestDriver d = worker(dying)) {
            TestOutputTopic<String, byte[]> dl = d.createOutputTopic(Topics.DEADLETTER, new StringDeserializer(), new ByteArrayDeserializer());
            deliver(d, id, instances);
            assertEquals(2, analyses.get(), "the third worker must not start the analysis that killed two");
            DeadLetter letter = EventJson.fromBytes(dl.readValue(), DeadLetter.class);
            assertEquals("ANALYSIS_NOT_FINISHED", letter.reason());
            assertEquals("INFERENCE", letter.stage());
            assertEquals(id.seriesInstanceUid(), letter.seriesInstanceUid());
            assertEquals(4, letter.sopInstanceUids().size());
            assertTrue(letter.detail().contains("2 times") && letter.detail().contains("pipeline.max-analysis-attempts=2"),
                    letter.detail());
        }
    }

    @Test
    void oneUnfinishedAttemptIsForgivenAndAFinishedAnalysisResetsTheCount() {
        var id = CtSeriesWriter.StudyIdentity.random("ONCE");
        List<byte[]> instances = series(id, 4);
        TopologyTestDriver first = worker(dying);
        assertThrows(WorkerDied.class, () -> deliver(first, id, instances));
        try {
            first.close();
        } catch (RuntimeException | Error ignored) {
            // as above
        }
        try (TopologyTestDriver d = worker(healthy)) {
            TestOutputTopic<String, byte[]> results = d.createOutputTopic(Topics.RESULTS, new StringDeserializer(), new ByteArrayDeserializer());
            deliver(d, id, instances);
            assertEquals(2, analyses.get());
            assertEquals(id.seriesInstanceUid(), results.readRecord().key(), "the second attempt finishes with a result");
        }
        // the count was cleared: two more deaths are needed before the series is given up
        TopologyTestDriver again = worker(dying);
        assertThrows(WorkerDied.class, () -> deliver(again, id, instances));
        assertEquals(3, analyses.get());
    }
}
