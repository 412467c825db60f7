package org.ichtriage.service;

import org.ichtriage.Topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.ichtriage.config.IchConfig;
import org.ichtriage.dicom.net.Dcmtk;
import org.ichtriage.phantom.CtSeriesWriter;
import org.ichtriage.phantom.HeadPhantom;
import org.ichtriage.phantom.Phantom;
import org.ichtriage.phantom.PhantomSpec;
import org.ichtriage.events.DeadLetter;
import org.ichtriage.events.EventJson;
import org.ichtriage.events.EventSchemas;
import org.ichtriage.events.ResultEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole flow on one machine, with real parts: dcmtk storescu sends a series to a running
 * ich-triage (embedded KRaft broker, DICOM listener, Kafka Streams worker, shipped model), and the
 * result event arrives on ich.results.v1.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineIT {
    static final Path SHIPPED_MODEL = Path.of("models/slexnet-ich.onnx");

    @TempDir
    static Path tmp;
    private IchTriageService service;
    private KafkaConsumer<String, byte[]> results;
    private KafkaConsumer<String, byte[]> deadLetters;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(Dcmtk.available(), "dcmtk storescu is not installed (make test installs it)");
        assertTrue(Files.exists(SHIPPED_MODEL), "the shipped model models/slexnet-ich.onnx is part of the repository");
        IchConfig config = IchConfig.load(null, Map.of(), Map.of(
                "state.dir", tmp.resolve("state").toString(),
                "kafka.embedded.port", "0",
                "http.port", "0",
                "dicom.port", "0",
                "pipeline.completion-gap-ms", "4000", // well above any pause inside one storescu run on a loaded machine
                "model.path", SHIPPED_MODEL.toString()));
        service = new IchTriageService(config).start();
        results = consumer(Topics.RESULTS);
        deadLetters = consumer(Topics.DEADLETTER);
    }

    @AfterAll
    void stop() {
        if (results != null) {
            results.close();
            deadLetters.close();
        }
        if (service != null) {
            service.close();
        }
    }

    private KafkaConsumer<String, byte[]> consumer(String topic) {
        Properties p = service.kafka().clientProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "pipeline-it-" + topic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }

    private List<Path> writeSeries(String name, List<byte[]> instances) throws Exception {
        return org.ichtriage.testing.SeriesFiles.write(tmp.resolve(name), instances);
    }

    private ConsumerRecord<String, byte[]> awaitRecord(KafkaConsumer<String, byte[]> c, String series, Duration timeout) {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (System.currentTimeMillis() < deadline) {
            for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                if (series.equals(r.key())) {
                    return r;
                }
            }
        }
        throw new AssertionError("no record for series " + series + " within " + timeout);
    }

    private ResultEvent sendAndAwaitResult(String name, List<byte[]> instances, String series) throws Exception {
        Dcmtk.Result sent = Dcmtk.storescu(service.dicomPort(), "ICHTRIAGE", writeSeries(name, instances));
        assertEquals(0, sent.exitCode(), sent.output());
        ConsumerRecord<String, byte[]> r = awaitRecord(results, series, Duration.ofSeconds(120));
        String json = new String(r.value(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(List.of(), EventSchemas.resultViolations(json), json);
        return EventJson.fromBytes(r.value(), ResultEvent.class);
    }

    @Test
    void phantomWithKnownHemorrhageGivesVolumeWithin15PercentOfTruth() throws Exception {
        Phantom phantom = HeadPhantom.generate(PhantomSpec.withHemorrhage(11));
        var id = CtSeriesWriter.StudyIdentity.random("IT-ICH");
        ResultEvent e = sendAndAwaitResult("ich", phantom.toDicom(id, false), id.seriesInstanceUid());
        assertTrue(e.flags().ichDetected(), "hemorrhage detected");
        double truth = phantom.truthVolumeMl();
        assertTrue(Math.abs(e.volume().ml() - truth) <= 0.15 * truth,
                "volume " + e.volume().ml() + " mL vs truth " + truth + " mL");
        assertEquals(phantom.huSlices().size(), e.provenance().instanceCount());
        // no Images in Acquisition, but one contiguous 5 mm stack over the head: complete after the short quiet time
        assertEquals("STACK", e.provenance().completionReason());
        long waited = e.timingsMs().lastReceiveToResult() - e.timingsMs().total();
        System.out.printf("pipeline: last instance received -> result %d ms (%d ms waiting for completion, %d ms analysis)%n",
                e.timingsMs().lastReceiveToResult(), waited, e.timingsMs().total());
        assertTrue(waited < 4000, "completed without waiting for the 4 s gap, waited " + waited + " ms");
        assertFalse(e.seg().empty());
        assertTrue(e.provenance().inputDigest().startsWith("sha256:"));
        assertEquals("CPU", e.model().provider());
        // ingest and worker share one process and one /metrics: both record stage latency, in one histogram family
        String metrics = service.registry().scrape();
        assertTrue(metrics.contains("ich_stage_seconds_bucket{stage=\"ingest_kafka_ack\""), "ingest latency exported");
        assertTrue(metrics.contains("ich_stage_seconds_bucket{stage=\"inference\""), "inference latency exported");
        assertTrue(metrics.contains("ich_ingest_instances_total{status=\"0000\"}"), "stored instances counted");
    }

    @Test
    void phantomWithoutHemorrhageIsNegative() throws Exception {
        Phantom phantom = HeadPhantom.generate(PhantomSpec.normal(12));
        var id = CtSeriesWriter.StudyIdentity.random("IT-NORMAL");
        ResultEvent e = sendAndAwaitResult("normal", phantom.toDicom(id, true), id.seriesInstanceUid());
        assertFalse(e.flags().ichDetected(), "no hemorrhage, volume " + e.volume().ml());
        assertTrue(e.seg().empty(), "no SEG for a negative result");
        assertEquals("COUNT", e.provenance().completionReason(), "Images in Acquisition completes it before the gap");
    }

    @Test
    void realTiltedGeSeriesIsAnalysedWithItsRealGeometry() throws Exception {
        List<Path> files = org.ichtriage.testing.SharedData.geTiltedFiles();
        Dcmtk.Result sent = Dcmtk.storescu(service.dicomPort(), "ICHTRIAGE", files);
        assertEquals(0, sent.exitCode(), sent.output());
        String series = "1.2.826.0.1.3680043.9.4245.3115138630835728997848661150714813892";
        ConsumerRecord<String, byte[]> r = awaitRecord(results, series, Duration.ofSeconds(120));
        ResultEvent e = EventJson.fromBytes(r.value(), ResultEvent.class);
        // docs/decisions/ge-tilted-series.md: the series is assembled along its tilted normal, 28 slices,
        // with the real per-slice spacing. The scan has no hemorrhage: the shipped model must report
        // none, or at most a small volume flagged indeterminate (issue 10's rule for shipping a model;
        // model 1.0.0 reported 59 mL here, mostly neck and face muscle below the skull base).
        assertEquals(28, e.volume().sliceCount());
        assertEquals(List.of(), EventSchemas.resultViolations(new String(r.value(), java.nio.charset.StandardCharsets.UTF_8)));
        if (e.flags().ichDetected()) {
            assertEquals("indeterminate", e.triageCategory(), "a volume on the real normal scan must be indeterminate: " + e.uncertainty());
            assertTrue(e.volume().ml() <= 5.0, "at most a small volume on the real normal scan, was " + e.volume().ml() + " mL");
        } else {
            assertEquals("negative", e.triageCategory());
            assertTrue(e.seg().empty());
        }
    }

    @Test
    void seriesWithTooFewSlicesIsDeadLettered() throws Exception {
        Phantom phantom = HeadPhantom.generate(PhantomSpec.normal(13));
        var id = CtSeriesWriter.StudyIdentity.random("IT-FEW");
        List<byte[]> two = phantom.toDicom(id, false).subList(0, 2);
        Dcmtk.Result sent = Dcmtk.storescu(service.dicomPort(), "ICHTRIAGE", writeSeries("few", two));
        assertEquals(0, sent.exitCode(), sent.output());
        ConsumerRecord<String, byte[]> r = awaitRecord(deadLetters, id.seriesInstanceUid(), Duration.ofSeconds(60));
        assertEquals(List.of(), EventSchemas.deadLetterViolations(new String(r.value(), java.nio.charset.StandardCharsets.UTF_8)));
        DeadLetter d = EventJson.fromBytes(r.value(), DeadLetter.class);
        assertEquals("TOO_FEW_SLICES", d.reason());
        assertEquals(2, d.sopInstanceUids().size());
    }

    @Test
    void aChestCtIsSkippedWithItsReasonAndGivesNoResult() throws Exception {
        Phantom phantom = HeadPhantom.generate(PhantomSpec.withHemorrhage(14));
        var id = CtSeriesWriter.StudyIdentity.random("IT-CHEST");
        List<byte[]> chest = new ArrayList<>();
        for (byte[] b : phantom.toDicom(id, true)) {
            var f = org.ichtriage.dicom.codec.DicomReader.readPart10(b, org.ichtriage.dicom.codec.DicomLimits.DEFAULT);
            f.dataset().putString(org.ichtriage.dicom.codec.Tag.StudyDescription, org.ichtriage.dicom.codec.VR.LO, "CT CHEST WITHOUT CONTRAST");
            f.dataset().putString(org.ichtriage.dicom.codec.Tag.SeriesDescription, org.ichtriage.dicom.codec.VR.LO, "AXIAL 5 MM");
            f.dataset().putString(org.ichtriage.dicom.codec.Tag.BodyPartExamined, org.ichtriage.dicom.codec.VR.CS, "CHEST");
            chest.add(org.ichtriage.dicom.codec.DicomWriter.writePart10(f.dataset(), CtSeriesWriter.CT_IMAGE_STORAGE,
                    f.dataset().getString(org.ichtriage.dicom.codec.Tag.SOPInstanceUID), f.transferSyntaxUid()));
        }
        try (KafkaConsumer<String, byte[]> skipped = consumer(Topics.SKIPPED)) {
            Dcmtk.Result sent = Dcmtk.storescu(service.dicomPort(), "ICHTRIAGE", writeSeries("chest", chest));
            assertEquals(0, sent.exitCode(), sent.output());
            ConsumerRecord<String, byte[]> r = awaitRecord(skipped, id.seriesInstanceUid(), Duration.ofSeconds(60));
            String json = new String(r.value(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(List.of(), EventSchemas.skippedViolations(json), json);
            org.ichtriage.events.SkippedSeries k = EventJson.fromBytes(r.value(), org.ichtriage.events.SkippedSeries.class);
            assertEquals("NOT_HEAD", k.reason());
            assertTrue(k.detail().contains("CHEST"), k.detail());
            assertEquals(chest.size(), k.instanceCount());
        }
        // a later series' result shows the worker went on; by then the result topic holds nothing of the chest CT
        var after = CtSeriesWriter.StudyIdentity.random("IT-AFTER");
        sendAndAwaitResult("after-chest", HeadPhantom.generate(PhantomSpec.normal(15)).toDicom(after, true), after.seriesInstanceUid());
        try (org.ichtriage.kafka.TopicReader reader = new org.ichtriage.kafka.TopicReader(service.kafka())) {
            assertEquals(List.of(), reader.readAll(Topics.RESULTS, r -> id.seriesInstanceUid().equals(r.key())), "no head result for a chest CT");
        }
    }
}
