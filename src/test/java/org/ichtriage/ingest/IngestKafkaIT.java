package org.ichtriage.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.ichtriage.kafka.EmbeddedKafka;
import org.ichtriage.dicom.codec.DicomReader;
import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.Part10File;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.dicom.codec.TransferSyntax;
import org.ichtriage.dicom.net.Dcmtk;
import org.ichtriage.dicom.net.DicomClient;
import org.ichtriage.dicom.net.DicomServer;
import org.ichtriage.dicom.net.DicomUids;
import org.ichtriage.dicom.net.ScpConfig;
import org.ichtriage.dicom.net.ScuConfig;
import org.ichtriage.dicom.net.StoreStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.ichtriage.phantom.SyntheticCtSeries;
import org.ichtriage.events.InstanceHeaders;
import org.ichtriage.testing.EmbeddedKafkaExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** storescu -> our SCP -> KafkaInstanceSink -> real embedded broker -> consumer, compared with dcmdump. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IngestKafkaIT {
    static final Path SHARED = Path.of(System.getProperty("ich.shared.dir", "../shared"));

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    private EmbeddedKafka kafka;
    private KafkaInstanceSink sink;
    private DicomServer server;
    private Path spool;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(Dcmtk.available(), "dcmtk not installed");
        kafka = KAFKA.broker();
        KafkaSupport.createInstancesTopic(kafka.bootstrapServers(), 2);
        spool = tmp.resolve("spool");
        sink = new KafkaInstanceSink(IngestConfig.defaults().withSpoolDir(spool), KafkaSupport.client(kafka.bootstrapServers()));
        server = DicomServer.start(ScpConfig.defaults().withPort(0), sink);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
        if (sink != null) {
            sink.close();
        }
    }

    private static String datasetDump(Path f) throws Exception {
        String d = Dcmtk.dcmdump(f);
        int i = d.indexOf("# Dicom-Data-Set");
        assertTrue(i >= 0, d);
        return d.substring(i);
    }

    @Test
    void everyInstanceLandsOnTheTopicIdenticalToItsSource() throws Exception {
        List<Path> sources = new ArrayList<>(SyntheticCtSeries.write(tmp.resolve("synth"), 12, 256, TransferSyntax.EXPLICIT_VR_LE, 7));
        Path head = SHARED.resolve("data/ct-head-ge-tilt");
        boolean real = Files.isDirectory(head);
        if (real) {
            try (Stream<Path> s = Files.list(head)) {
                sources.addAll(s.filter(p -> p.toString().endsWith(".dcm")).sorted().toList());
            }
        } else {
            System.out.println("SKIPPED part: real series absent at " + head);
        }
        Dcmtk.Result r = Dcmtk.storescu(server.port(), "ICHTRIAGE", sources);
        assertEquals(0, r.exitCode(), r.output());
        // implicit VR files, sent as implicit VR (-xi) so the bytes on the wire are the file's
        List<Path> implicit = SyntheticCtSeries.write(tmp.resolve("synth-implicit"), 3, 64, TransferSyntax.IMPLICIT_VR_LE, 8);
        Dcmtk.Result ri = Dcmtk.storescu(server.port(), "ICHTRIAGE", List.of("-xi"), implicit);
        assertEquals(0, ri.exitCode(), ri.output());
        sources.addAll(implicit);

        Map<String, Path> byInstance = new HashMap<>();
        Map<String, String> seriesOf = new HashMap<>();
        for (Path f : sources) {
            Part10File pf = DicomReader.readPart10(Files.readAllBytes(f), DicomLimits.DEFAULT);
            String inst = pf.dataset().getString(Tag.SOPInstanceUID);
            byInstance.put(inst, f);
            seriesOf.put(inst, pf.dataset().getString(Tag.SeriesInstanceUID));
        }
        List<ConsumerRecord<String, byte[]>> recs = KafkaSupport.readAll(kafka.bootstrapServers(),
                IngestConfig.INSTANCES_TOPIC, byInstance.size(), Duration.ofSeconds(60));
        Map<String, ConsumerRecord<String, byte[]>> seen = new HashMap<>();
        for (ConsumerRecord<String, byte[]> rec : recs) {
            seen.put(header(rec, InstanceHeaders.SOP_INSTANCE_UID), rec);
        }
        assertTrue(seen.keySet().containsAll(byInstance.keySet()), "missing on topic: " + byInstance.size() + " sent, " + seen.size() + " seen");
        for (Map.Entry<String, Path> e : byInstance.entrySet()) {
            ConsumerRecord<String, byte[]> rec = seen.get(e.getKey());
            assertEquals(seriesOf.get(e.getKey()), rec.key());
            assertEquals(DicomUids.CT_IMAGE_STORAGE, header(rec, InstanceHeaders.SOP_CLASS_UID));
            assertEquals("STORESCU", header(rec, InstanceHeaders.CALLING_AET));
            assertEquals("ICHTRIAGE", header(rec, InstanceHeaders.CALLED_AET));
            Instant.parse(header(rec, InstanceHeaders.RECEIVED_AT));
            Path recFile = tmp.resolve("rec-" + e.getKey() + ".dcm");
            Files.write(recFile, rec.value());
            assertEquals(datasetDump(e.getValue()), datasetDump(recFile), "dcmdump differs for " + e.getValue());
            // the spool copy is the same Part 10 object, named by the UID
            assertTrue(java.util.Arrays.equals(rec.value(), Files.readAllBytes(spool.resolve(e.getKey() + ".dcm"))));
        }
    }

    private static String header(ConsumerRecord<String, byte[]> rec, String name) {
        assertNotNull(rec.headers().lastHeader(name), "header " + name);
        return new String(rec.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private byte[] validDataset(String inst) throws Exception {
        List<Path> one = SyntheticCtSeries.write(tmp.resolve("one-" + System.nanoTime()), 1, 16, TransferSyntax.EXPLICIT_VR_LE, 1);
        byte[] ds = Dcmtk.datasetOf(Files.readAllBytes(one.get(0)));
        String orig = DicomReader.readDataset(ds, TransferSyntax.EXPLICIT_VR_LE, DicomLimits.DEFAULT).getString(Tag.SOPInstanceUID);
        assertEquals(inst == null ? orig : inst, inst == null ? orig : inst);
        return ds;
    }

    private StoreStatus send(String inst, byte[] ds) throws Exception {
        try (DicomClient c = DicomClient.connect(ScuConfig.of("127.0.0.1", server.port(), "ICHTRIAGE", "HOSTILE"),
                DicomClient.propose(List.of(DicomUids.CT_IMAGE_STORAGE), List.of(DicomUids.EXPLICIT_VR_LE)))) {
            return c.store(DicomUids.CT_IMAGE_STORAGE, inst, DicomUids.EXPLICIT_VR_LE, ds);
        }
    }

    private static String instOf(byte[] ds) throws Exception {
        return DicomReader.readDataset(ds, TransferSyntax.EXPLICIT_VR_LE, DicomLimits.DEFAULT).getString(Tag.SOPInstanceUID);
    }

    @Test
    void elementLengthPastEndIsCannotUnderstand() throws Exception {
        byte[] ds = validDataset(null);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(ds);
        // (0099,0010) LO claiming 1000 bytes with 4 present
        b.writeBytes(new byte[] {(byte) 0x99, 0, 0x10, 0, 'L', 'O', (byte) 0xE8, 0x03, 'A', 'B', 'C', 'D'});
        StoreStatus st = send(instOf(ds), b.toByteArray());
        assertEquals(StoreStatus.CANNOT_UNDERSTAND, st.code(), st.comment());
        assertTrue(st.comment().contains("offset") || st.comment().contains("0099"), st.comment());
        assertStillStores();
    }

    @Test
    void neverEndingUndefinedLengthSequenceIsCannotUnderstand() throws Exception {
        byte[] ds = validDataset(null);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(ds);
        // (0099,1000) SQ undefined length, items of undefined length, no delimiters ever
        b.writeBytes(new byte[] {(byte) 0x99, 0, 0, 0x10, 'S', 'Q', 0, 0, -1, -1, -1, -1});
        for (int i = 0; i < 200; i++) {
            b.writeBytes(new byte[] {(byte) 0xFE, (byte) 0xFF, 0, (byte) 0xE0, -1, -1, -1, -1});
        }
        StoreStatus st = send(instOf(ds), b.toByteArray());
        assertEquals(StoreStatus.CANNOT_UNDERSTAND, st.code(), st.comment());
        assertStillStores();
    }

    @Test
    void dotDotSopInstanceUidIsRejectedAndNothingEscapes() throws Exception {
        byte[] ds = validDataset(null);
        Path parent = spool.getParent();
        List<Path> before;
        try (Stream<Path> s = Files.list(parent)) {
            before = s.toList();
        }
        for (String hostile : List.of("../../evil", "../x", "1.2/../../3", "..")) {
            StoreStatus st = send(hostile, ds);
            assertEquals(StoreStatus.CANNOT_UNDERSTAND, st.code(), hostile);
        }
        try (Stream<Path> s = Files.list(parent)) {
            assertEquals(before, s.toList(), "something was written next to the spool folder");
        }
        try (Stream<Path> s = Files.list(spool)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().contains("evil")));
        }
        // and the spool path builder itself keeps hostile names inside, even if called directly
        Path p = KafkaInstanceSink.spool(spool, "../../evil", new byte[] {1});
        assertEquals(spool.toAbsolutePath().normalize(), p.getParent());
        Files.delete(p);
    }

    @Test
    void commandAndDatasetUidMismatchIsA900() throws Exception {
        byte[] ds = validDataset(null);
        StoreStatus st = send("1.2.3.4.5", ds);
        assertEquals(StoreStatus.DATASET_DOES_NOT_MATCH_SOP_CLASS, st.code(), st.comment());
    }

    private void assertStillStores() throws Exception {
        byte[] ds = validDataset(null);
        assertTrue(send(instOf(ds), ds).isSuccess());
    }
}
