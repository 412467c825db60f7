package org.ichtriage.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

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
import org.ichtriage.events.EventJson;
import org.ichtriage.events.EventSchemas;
import org.ichtriage.events.ResultEvent;
import org.ichtriage.events.StudyVerdict;
import org.ichtriage.phantom.CtSeriesWriter;
import org.ichtriage.testing.SampleEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One verdict per study: each series result of a study revises it, and the most urgent series decides. */
class StudyVerdictTopologyTest {
    private static final String STUDY = "1.2.826.0.1.3680043.9.7777.42";
    private static final String PATIENT_KEY = "ab".repeat(32);
    /** The volume each test series reports, by series UID: the analyzer stand-in's answer. */
    private final Map<String, Double> volumes = new java.util.HashMap<>();
    private TopologyTestDriver driver;

    private final SeriesAnalyzer analyzer = batch -> {
        double ml = volumes.get(batch.seriesInstanceUid());
        boolean positive = ml >= 1;
        ResultEvent e = SampleEvents.forBatch(batch).eventId(java.util.UUID.randomUUID().toString())
                .createdAt(Instant.now().toString()).studyInstanceUid(STUDY).accessionNumber("ACC42")
                .patient(new ResultEvent.Patient(PATIENT_KEY, null, null)).seriesDescription("AXIAL " + batch.seriesInstanceUid())
                .volume(new ResultEvent.Volume(ml, new ResultEvent.Interval(ml, ml), ml, 0, batch.instances().size(), 0))
                .uncertainty(new ResultEvent.Uncertainty(0, 0, 0, 0.1)).flags(new ResultEvent.Flags(positive, ml >= 30, false, false))
                .triageCategory(positive ? "positive" : "negative").build();
        return List.of(new SeriesOutcome.Analyzed(e, Optional.empty(), List.of()));
    };

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void aLaterPositiveSeriesRevisesTheStudyVerdictAndDecidesIt() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "study-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:1");
        driver = new TopologyTestDriver(TriageTopology.build(analyzer, new StreamLimits(2000, 50, 64L << 20, 4, 60_000),
                Topics.INSTANCES, Topics.RESULTS), p);
        TestInputTopic<String, byte[]> in = driver.createInputTopic(Topics.INSTANCES, new StringSerializer(), new ByteArraySerializer());
        TestOutputTopic<String, byte[]> verdicts = driver.createOutputTopic(Topics.STUDY_RESULTS, new StringDeserializer(),
                new ByteArrayDeserializer());

        var thick = new CtSeriesWriter.StudyIdentity("P42", "X^Y", STUDY, "1.2.3.1", "1.2.3.9", "ACC42", java.time.LocalDateTime.now());
        var thin = new CtSeriesWriter.StudyIdentity("P42", "X^Y", STUDY, "1.2.3.2", "1.2.3.9", "ACC42", java.time.LocalDateTime.now());
        volumes.put(thick.seriesInstanceUid(), 0.0);
        volumes.put(thin.seriesInstanceUid(), 7.5);
        for (byte[] b : series(thick, 4)) {
            in.pipeInput(thick.seriesInstanceUid(), b);
        }
        driver.advanceWallClockTime(Duration.ofMillis(2500));
        StudyVerdict first = verdict(verdicts.readValue());
        assertEquals(1, first.revision());
        assertEquals("negative", first.triageCategory());
        assertEquals(List.of(thick.seriesInstanceUid()), first.series().stream().map(StudyVerdict.SeriesFinding::seriesInstanceUid).toList());

        for (byte[] b : series(thin, 6)) {
            in.pipeInput(thin.seriesInstanceUid(), b);
        }
        driver.advanceWallClockTime(Duration.ofMillis(2500));
        StudyVerdict second = verdict(verdicts.readValue());
        assertEquals(2, second.revision());
        assertEquals("positive", second.triageCategory(), "the most urgent series decides");
        assertEquals(thin.seriesInstanceUid(), second.decidingSeries().seriesInstanceUid());
        assertEquals(7.5, second.volumeMl());
        assertEquals(2, second.series().size(), "both series listed with their own findings");
        assertEquals(PATIENT_KEY, second.patient().key());
        assertTrue(verdicts.isEmpty(), "one verdict per series result");
    }

    private static StudyVerdict verdict(byte[] json) {
        assertEquals(List.of(), EventSchemas.studyVerdictViolations(new String(json, StandardCharsets.UTF_8)));
        return EventJson.fromBytes(json, StudyVerdict.class);
    }

    private static List<byte[]> series(CtSeriesWriter.StudyIdentity id, int n) {
        List<CtSeriesWriter.HuSlice> slices = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            slices.add(new CtSeriesWriter.HuSlice(new short[16 * 16]));
        }
        return CtSeriesWriter.write(id, slices, 16, 16, 1.0, 5.0, false);
    }
}
