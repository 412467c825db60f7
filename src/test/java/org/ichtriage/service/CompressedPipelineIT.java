package org.ichtriage.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.ichtriage.Topics;
import org.ichtriage.config.IchConfig;
import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.DicomReader;
import org.ichtriage.dicom.codec.Part10File;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.dicom.codec.TransferSyntax;
import org.ichtriage.dicom.net.Dcmtk;
import org.ichtriage.events.DeadLetter;
import org.ichtriage.events.EventJson;
import org.ichtriage.events.EventSchemas;
import org.ichtriage.events.ResultEvent;
import org.ichtriage.phantom.CtSeriesWriter;
import org.ichtriage.phantom.HeadPhantom;
import org.ichtriage.phantom.Phantom;
import org.ichtriage.phantom.PhantomSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * One phantom head sent three times to a running ich-triage by dcmtk's storescu: uncompressed, RLE Lossless
 * (files re-encoded by dcmcrle, sent with -xr) and JPEG Lossless SV1 (dcmcjpeg, sent with -xs). The compressed
 * instances travel the topic as they came in and the analysis gives the same result as the uncompressed run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompressedPipelineIT {
    @TempDir
    static Path tmp;
    private IchTriageService service;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(Dcmtk.available() && Files.isExecutable(Path.of("/usr/bin/dcmcrle"))
                && Files.isExecutable(Path.of("/usr/bin/dcmcjpeg")),
                "dcmtk storescu/dcmcrle/dcmcjpeg are not installed (make test installs them)");
        assertTrue(Files.exists(PipelineIT.SHIPPED_MODEL), "the shipped model is part of the repository");
        IchConfig config = IchConfig.load(null, Map.of(), Map.of(
                "state.dir", tmp.resolve("state").toString(),
                "kafka.embedded.port", "0",
                "http.port", "0",
                "dicom.port", "0",
                "pipeline.completion-gap-ms", "4000",
                "model.path", PipelineIT.SHIPPED_MODEL.toString()));
        service = new IchTriageService(config).start();
    }

    @AfterAll
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    private KafkaConsumer<String, byte[]> consumer(String topic) {
        Properties p = service.kafka().clientProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "compressed-it-" + topic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }

    private List<Path> write(String name, List<byte[]> instances) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < instances.size(); i++) {
            Path f = dir.resolve(String.format("%03d.dcm", i));
            Files.write(f, instances.get(i));
            files.add(f);
        }
        return files;
    }

    /** Each file re-encoded by a dcmtk tool ({@code tool options... in out}). */
    private List<Path> reencode(List<Path> files, String name, String... tool) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        List<Path> out = new ArrayList<>();
        for (Path f : files) {
            Path o = dir.resolve(f.getFileName());
            List<String> cmd = new ArrayList<>(List.of(tool));
            cmd.add(f.toString());
            cmd.add(o.toString());
            Dcmtk.Result r = Dcmtk.run(60, cmd);
            assertEquals(0, r.exitCode(), cmd + ": " + r.output());
            out.add(o);
        }
        return out;
    }

    @Test
    void compressedSeriesGiveTheUncompressedResultAndTravelAsReceived() throws Exception {
        Phantom phantom = HeadPhantom.generate(PhantomSpec.withHemorrhage(31));
        var plainId = CtSeriesWriter.StudyIdentity.random("IT-PLAIN");
        var rleId = CtSeriesWriter.StudyIdentity.random("IT-RLE");
        var jpegId = CtSeriesWriter.StudyIdentity.random("IT-JPEG");
        List<Path> plain = write("plain", phantom.toDicom(plainId, false));
        List<Path> rle = reencode(write("rle-src", phantom.toDicom(rleId, false)), "rle", "dcmcrle");
        List<Path> jpeg = reencode(write("jpeg-src", phantom.toDicom(jpegId, false)), "jpeg", "dcmcjpeg", "+e1");

        try (KafkaConsumer<String, byte[]> results = consumer(Topics.RESULTS);
             KafkaConsumer<String, byte[]> instances = consumer(Topics.INSTANCES)) {
            Dcmtk.Result sent = Dcmtk.storescu(service.dicomPort(), "ICHTRIAGE", plain);
            assertEquals(0, sent.exitCode(), sent.output());
            sent = Dcmtk.storescu(service.dicomPort(), "ICHTRIAGE", List.of("-xr"), rle);
            assertEquals(0, sent.exitCode(), sent.output());
            sent = Dcmtk.storescu(service.dicomPort(), "ICHTRIAGE", List.of("-xs"), jpeg);
            assertEquals(0, sent.exitCode(), sent.output());

            Map<String, ResultEvent> bySeries = awaitResults(results, List.of(plainId.seriesInstanceUid(),
                    rleId.seriesInstanceUid(), jpegId.seriesInstanceUid()), phantom.huSlices().size(), Duration.ofSeconds(240));
            ResultEvent p = bySeries.get(plainId.seriesInstanceUid());
            for (var id : List.of(rleId, jpegId)) {
                ResultEvent c = bySeries.get(id.seriesInstanceUid());
                assertEquals(p.flags().ichDetected(), c.flags().ichDetected());
                // the same pixels through the same model: the same volume, to the last digit the event carries
                assertEquals(p.volume().ml(), c.volume().ml(), 0.0, "volume of " + id.seriesInstanceUid());
            }
            assertTrue(p.flags().ichDetected(), "the phantom's hemorrhage is found");

            // the topic holds what storescu sent: the compressed syntax and the file's own encapsulated pixel data
            Map<String, List<byte[]>> records = awaitInstanceRecords(instances, Map.of(rleId.seriesInstanceUid(), rle.size(),
                    jpegId.seriesInstanceUid(), jpeg.size()));
            assertReceivedAsSent(records.get(rleId.seriesInstanceUid()), TransferSyntax.RLE_LOSSLESS, rle);
            assertReceivedAsSent(records.get(jpegId.seriesInstanceUid()), TransferSyntax.JPEG_LOSSLESS_SV1, jpeg);
        }
    }

    @Test
    void aCorruptRleSliceIsStoredThenDeadLetteredWithItsOffset() throws Exception {
        Phantom phantom = HeadPhantom.generate(PhantomSpec.normal(32));
        var id = CtSeriesWriter.StudyIdentity.random("IT-BADRLE");
        List<Path> rle = reencode(write("bad-src", phantom.toDicom(id, false).subList(0, 3)), "bad-rle", "dcmcrle");
        // the RLE header of the middle slice declares 7 segments: the dataset parses, the pixels do not decode
        byte[] file = Files.readAllBytes(rle.get(1));
        var epd = DicomReader.readPart10(file, DicomLimits.DEFAULT).dataset().encapsulatedPixelData();
        int header = (int) epd.valueOffset() + epd.fragments().get(0).valueStart();
        file[header] = 7;
        Files.write(rle.get(1), file);
        try (KafkaConsumer<String, byte[]> deadLetters = consumer(Topics.DEADLETTER)) {
            Dcmtk.Result sent = Dcmtk.storescu(service.dicomPort(), "ICHTRIAGE", List.of("-xr"), rle);
            assertEquals(0, sent.exitCode(), "every slice is acknowledged: " + sent.output());
            long deadline = System.currentTimeMillis() + 120_000;
            DeadLetter d = null;
            while (d == null && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, byte[]> r : deadLetters.poll(Duration.ofMillis(200))) {
                    if (id.seriesInstanceUid().equals(r.key())) {
                        d = EventJson.fromBytes(r.value(), DeadLetter.class);
                    }
                }
            }
            assertNotNull(d, "a dead letter for the series with the corrupt slice");
            assertEquals("CORRUPT_INSTANCE", d.reason());
            // the record is our File Meta header + the dataset as storescu sent it (as in the file): the offset is the
            // header's position in that record
            String sop = DicomReader.readPart10(file, DicomLimits.DEFAULT).dataset().getString(Tag.SOPInstanceUID);
            long inRecord = header - DicomReader.datasetOffset(file) + org.ichtriage.dicom.codec.DicomWriter.fileMetaHeader(
                    CtSeriesWriter.CT_IMAGE_STORAGE, sop, TransferSyntax.RLE_LOSSLESS, "STORESCU").length;
            assertTrue(d.detail().contains(sop) && d.detail().contains("(7FE0,0010) at offset " + inRecord + ":")
                    && d.detail().contains("7 segments"), "expected offset " + inRecord + ": " + d.detail());
            assertEquals(3, d.sopInstanceUids().size(), "the series' instances are named, none dropped: " + d.sopInstanceUids());
        }
    }

    /**
     * The first result of each series that covers all its instances: on a loaded machine a pause inside one storescu
     * run can outlast the completion gap, and the series then completes in two revisions.
     */
    private Map<String, ResultEvent> awaitResults(KafkaConsumer<String, byte[]> c, List<String> series, int instances,
                                                  Duration timeout) {
        Map<String, ResultEvent> out = new HashMap<>();
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (out.size() < series.size() && System.currentTimeMillis() < deadline) {
            for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                if (series.contains(r.key()) && !out.containsKey(r.key())) {
                    String json = new String(r.value(), StandardCharsets.UTF_8);
                    assertEquals(List.of(), EventSchemas.resultViolations(json), json);
                    ResultEvent e = EventJson.fromBytes(r.value(), ResultEvent.class);
                    if (e.provenance().instanceCount() == instances) {
                        out.put(r.key(), e);
                    }
                }
            }
        }
        assertEquals(series.size(), out.size(), "results for " + series + " within " + timeout + ": got " + out.keySet());
        return out;
    }

    /** The instance records of the given series (key = series UID), once each has as many as expected. */
    private Map<String, List<byte[]>> awaitInstanceRecords(KafkaConsumer<String, byte[]> c, Map<String, Integer> expected) {
        Map<String, List<byte[]>> out = new HashMap<>();
        expected.keySet().forEach(k -> out.put(k, new ArrayList<>()));
        long deadline = System.currentTimeMillis() + 60_000;
        while (expected.entrySet().stream().anyMatch(e -> out.get(e.getKey()).size() < e.getValue())
                && System.currentTimeMillis() < deadline) {
            for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                if (out.containsKey(r.key())) {
                    out.get(r.key()).add(r.value());
                }
            }
        }
        expected.forEach((series, n) -> assertEquals(n, out.get(series).size(), "instance records of series " + series));
        return out;
    }

    private void assertReceivedAsSent(List<byte[]> records, String ts, List<Path> files) throws Exception {
        Map<String, byte[]> sentPixels = new HashMap<>();
        for (Path f : files) {
            Part10File pf = DicomReader.readPart10(Files.readAllBytes(f), DicomLimits.DEFAULT);
            assertEquals(ts, pf.transferSyntaxUid(), f + " as dcmtk wrote it");
            sentPixels.put(pf.dataset().getString(Tag.SOPInstanceUID), pf.dataset().getBytes(Tag.PixelData));
        }
        for (byte[] record : records) {
            Part10File got = DicomReader.readPart10(record, DicomLimits.DEFAULT);
            assertEquals(ts, got.transferSyntaxUid(), "instance record's transfer syntax");
            assertNotNull(got.dataset().encapsulatedPixelData());
            byte[] expected = sentPixels.remove(got.dataset().getString(Tag.SOPInstanceUID));
            assertNotNull(expected, "record for an instance that was not sent, or sent twice");
            assertArrayEquals(expected, got.dataset().getBytes(Tag.PixelData), "pixel data as sent");
        }
        assertTrue(sentPixels.isEmpty(), "instances without a record: " + sentPixels.keySet());
    }
}
