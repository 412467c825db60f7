package org.ichtriage.pipeline;

import org.ichtriage.Topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.DicomReader;
import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.phantom.CtSeriesWriter;
import org.ichtriage.events.EventJson;
import org.ichtriage.events.EventSchemas;
import org.ichtriage.analysis.ExpansionAssessor;
import org.ichtriage.analysis.PatientKey;
import org.ichtriage.events.ResultEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ichtriage.analysis.SeriesAnalyzer;
import org.ichtriage.analysis.SeriesOutcome;
import org.ichtriage.analysis.StudyTimes;
import org.ichtriage.testing.SampleEvents;

/**
 * Hematoma expansion through the topology: two studies of one patient, whose volumes the analyzer
 * reports as known values (the analyzer is not under test here; the history, keying and assessment are).
 */
class ExpansionTrackerTest {
    private static final long GAP = 10_000;
    private static final PatientKey KEY = PatientKey.fromSecret("expansion-test-secret");

    /** Volume and interval the fake analyzer reports, per study. */
    private record Known(double ml, double low, double high) {}

    private final Map<String, Known> known = new java.util.HashMap<>();
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> in;
    private TestOutputTopic<String, byte[]> results;

    private final SeriesAnalyzer knownVolumes = batch -> {
        DicomObject ds;
        try {
            ds = DicomReader.readPart10(batch.instances().get(0).part10(), DicomLimits.DEFAULT).dataset();
        } catch (org.ichtriage.dicom.codec.DicomException e) {
            throw new IllegalStateException(e);
        }
        String study = ds.getString(Tag.StudyInstanceUID);
        Known k = known.get(study);
        String patientKey = KEY.keyOf(ds.getString(Tag.IssuerOfPatientID), ds.getString(Tag.PatientID)).orElseThrow();
        ResultEvent e = SampleEvents.forBatch(batch).eventId(UUID.nameUUIDFromBytes(study.getBytes(StandardCharsets.US_ASCII)).toString())
                .createdAt(Instant.parse("2030-01-01T00:00:00Z").toString()).studyInstanceUid(study)
                .patient(new ResultEvent.Patient(patientKey, null, null))
                .volume(new ResultEvent.Volume(k.ml(), new ResultEvent.Interval(k.low(), k.high()), k.ml(), 1000, batch.instances().size(), 2))
                .uncertainty(new ResultEvent.Uncertainty(0.1, 0.2, 0.05, 0.3)).flags(new ResultEvent.Flags(true, false, false, false))
                .studyTime(StudyTimes.studyTime(ds, ZoneOffset.UTC).map(Instant::toString).orElse(null))
                .build();
        return List.of(new SeriesOutcome.Analyzed(e, Optional.empty(), List.of()));
    };

    @BeforeEach
    void start() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "expansion-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:1");
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        StreamLimits limits = new StreamLimits(GAP, 50, 64L << 20, 4, 60_000);
        driver = new TopologyTestDriver(TriageTopology.build(knownVolumes,
                PipelineSettings.live(limits, "expansion-test", new ExpansionAssessor(48, 6, 0.33))), p);
        in = driver.createInputTopic(Topics.INSTANCES, new StringSerializer(), new ByteArraySerializer());
        results = driver.createOutputTopic(Topics.RESULTS, new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private CtSeriesWriter.StudyIdentity study(String patientId, LocalDateTime time, Known k) {
        var r = CtSeriesWriter.StudyIdentity.random(patientId);
        var id = new CtSeriesWriter.StudyIdentity(patientId, r.patientName(), r.studyInstanceUid(), r.seriesInstanceUid(),
                r.frameOfReferenceUid(), r.accessionNumber(), time);
        known.put(id.studyInstanceUid(), k);
        return id;
    }

    /** Sends a small series and lets it complete by the gap; returns its result event. */
    private ResultEvent complete(CtSeriesWriter.StudyIdentity id) {
        List<CtSeriesWriter.HuSlice> slices = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            slices.add(new CtSeriesWriter.HuSlice(new short[16 * 16]));
        }
        for (byte[] b : CtSeriesWriter.write(id, slices, 16, 16, 1.0, 5.0, false)) {
            in.pipeInput(id.seriesInstanceUid(), b);
        }
        driver.advanceWallClockTime(Duration.ofMillis(GAP + 500));
        var record = results.readRecord();
        assertEquals(id.seriesInstanceUid(), record.key(), "results are keyed by series again after the patient hop");
        String json = new String(record.value(), StandardCharsets.UTF_8);
        assertEquals(List.of(), EventSchemas.resultViolations(json), json);
        assertFalse(json.contains(id.patientId()), "PatientID in clear in the event: " + json);
        assertTrue(results.isEmpty(), "one result per series");
        return EventJson.fromBytes(record.value(), ResultEvent.class);
    }

    @Test
    void growthBeyondTheIntervalsSixHoursLaterIsExpansion() {
        LocalDateTime t0 = LocalDateTime.of(2030, 3, 4, 8, 15, 0);
        ResultEvent first = complete(study("EXP-PATIENT-1", t0, new Known(10, 9, 11)));
        assertNull(first.expansion(), "nothing to compare the first study with");
        assertEquals("2030-03-04T08:15:00Z", first.studyTime());

        ResultEvent second = complete(study("EXP-PATIENT-1", t0.plusHours(6), new Known(18, 17, 19)));
        ResultEvent.Expansion x = second.expansion();
        assertNotNull(x, "second study of the same patient is compared");
        assertEquals("yes", x.hematomaExpansion());
        assertEquals(first.eventId(), x.previousEventId());
        assertEquals(10.0, x.previousVolumeMl(), 1e-9);
        assertEquals("2030-03-04T08:15:00Z", x.previousTime());
        assertEquals(6.0, x.hoursBetween(), 1e-9);
        assertEquals(8.0, x.absoluteChangeMl(), 1e-9);
        assertEquals(0.8, x.relativeChange(), 1e-9);

        KeyValueStore<String, PatientHistory> store = driver.getKeyValueStore(TriageTopology.PATIENT_HISTORY_STORE);
        String key = second.patient().key();
        assertEquals(2, store.get(key).entries().size());
        try (var it = store.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                assertFalse(kv.key.contains("EXP-PATIENT-1"), "PatientID in clear as a store key");
                assertFalse(new String(EventJson.toBytes(kv.value), StandardCharsets.UTF_8).contains("EXP-PATIENT-1"));
            }
        }
    }

    @Test
    void overlappingIntervalsGivePossible() {
        LocalDateTime t0 = LocalDateTime.of(2030, 3, 4, 8, 0, 0);
        complete(study("EXP-PATIENT-2", t0, new Known(10, 8, 16)));
        ResultEvent second = complete(study("EXP-PATIENT-2", t0.plusHours(6), new Known(17, 15, 20)));
        assertEquals("possible", second.expansion().hematomaExpansion());
    }

    @Test
    void anotherPatientGetsNoExpansionBlock() {
        LocalDateTime t0 = LocalDateTime.of(2030, 3, 4, 8, 0, 0);
        complete(study("EXP-PATIENT-3", t0, new Known(10, 9, 11)));
        ResultEvent other = complete(study("EXP-PATIENT-4", t0.plusHours(6), new Known(18, 17, 19)));
        assertNull(other.expansion());
    }

    @Test
    void studyOutsideTheWindowIsNotCompared() {
        LocalDateTime t0 = LocalDateTime.of(2030, 3, 4, 8, 0, 0);
        complete(study("EXP-PATIENT-5", t0, new Known(10, 9, 11)));
        ResultEvent late = complete(study("EXP-PATIENT-5", t0.plusHours(49), new Known(18, 17, 19)));
        assertNull(late.expansion(), "49 h is outside the 48 h window");
    }
}
