package org.ichtriage.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.ichtriage.kafka.EmbeddedKafka;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.DicomWriter;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.dicom.codec.TransferSyntax;
import org.ichtriage.dicom.codec.Uids;
import org.ichtriage.dicom.codec.VR;
import org.ichtriage.dicom.net.Dcmtk;
import org.ichtriage.testing.TopicRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.ichtriage.events.DeadLetter;
import org.ichtriage.events.EventJson;
import org.ichtriage.events.EventSchemas;
import org.ichtriage.events.ForwardingStatus;
import org.ichtriage.events.OutputHeaders;
import org.ichtriage.events.ResultEvent;
import org.ichtriage.config.ForwardSettings;
import org.ichtriage.config.PacsDestination;
import org.ichtriage.testing.Await;
import org.ichtriage.testing.EmbeddedKafkaExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The forwarder against a real embedded broker and dcmtk storescp as the PACS: delivery byte for
 * byte, retries while the PACS is down, and a dead letter when it never comes back. Each test has
 * its own topics and consumer group so that they do not see each other's records.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(StoreScp.Required.class)
class PacsForwarderIT {
    static final String SEG_STORAGE = "1.2.840.10008.5.1.4.1.1.66.4";
    /** Topic settings for SEG-sized records, as the service creates them. */
    static final Map<String, String> LARGE_OBJECTS = Map.of("max.message.bytes", Integer.toString(16 << 20));

    @TempDir
    static Path tmp;
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    private PacsForwarder.Topics topics(String name) throws Exception {
        PacsForwarder.Topics t = new PacsForwarder.Topics(name + ".seg", name + ".forwarding", name + ".deadletter");
        KAFKA.createTopics(PacsForwarderIT.LARGE_OBJECTS, List.of(t.source(), t.status(), t.deadLetter()));
        return t;
    }

    /** A SEG-class Part 10 object whose 300 KB payload spans several PDUs, as a real multi-frame SEG does. */
    static byte[] segLikeObject(String seriesUid, long seed) {
        DicomObject ds = new DicomObject();
        String sop = Uids.newUid();
        ds.putString(Tag.SOPClassUID, VR.UI, SEG_STORAGE);
        ds.putString(Tag.SOPInstanceUID, VR.UI, sop);
        ds.putString(Tag.Modality, VR.CS, "SEG");
        ds.putString(Tag.PatientID, VR.LO, "FWD-IT");
        ds.putString(Tag.StudyInstanceUID, VR.UI, Uids.newUid());
        ds.putString(Tag.SeriesInstanceUID, VR.UI, Uids.newUid());
        ds.putString(Tag.SeriesDescription, VR.LO, "forwarder test of " + seriesUid);
        byte[] payload = new byte[300_000];
        new Random(seed).nextBytes(payload);
        ds.putBytes(0x7FE00010, VR.OB, payload);
        return DicomWriter.writePart10(ds, SEG_STORAGE, sop, TransferSyntax.EXPLICIT_VR_LE);
    }

    private long put(String topic, String seriesUid, byte[] value, String kind) throws Exception {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, seriesUid, value);
        r.headers().add(OutputHeaders.EVENT_ID_HEADER, ("event-" + seriesUid).getBytes(StandardCharsets.UTF_8));
        r.headers().add(OutputHeaders.KIND_HEADER, kind.getBytes(StandardCharsets.UTF_8));
        return KAFKA.producer().send(r).get(30, TimeUnit.SECONDS).offset();
    }

    private PacsForwarder forwarder(String group, PacsForwarder.Topics t, List<PacsDestination> dests, int maxAttempts,
                                    long backoffMs, PrometheusMeterRegistry registry) {
        return new PacsForwarder(KAFKA.client(), new ForwardSettings(dests, maxAttempts, backoffMs, false), "ICHTRIAGE", group, t,
                registry, "test", Clock.systemUTC()).start();
    }

    private Long committed(String group, String topic) throws Exception {
        return KAFKA.committed(group, topic);
    }

    /** Everything on the topic from the beginning, waiting until at least {@code atLeast} records are there. */
    private List<ConsumerRecord<String, byte[]>> read(String topic, int atLeast, Duration timeout) throws InterruptedException {
        List<ConsumerRecord<String, byte[]>> out = TopicRecords.await(KAFKA.bootstrapServers(), topic, atLeast, timeout, Duration.ZERO);
        assertTrue(out.size() >= atLeast, "only " + out.size() + " of " + atLeast + " records on " + topic + " within " + timeout);
        return out;
    }

    private static ForwardingStatus status(ConsumerRecord<String, byte[]> r) {
        String json = new String(r.value(), StandardCharsets.UTF_8);
        assertEquals(List.of(), EventSchemas.forwardingViolations(json), json);
        return EventJson.fromBytes(r.value(), ForwardingStatus.class);
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        Await.until(what, timeout, condition);
    }

    private static double count(PrometheusMeterRegistry reg, String name, PacsDestination d) {
        return reg.get(name).tag("destination", d.toString()).counter().count();
    }

    private static double backlog(PrometheusMeterRegistry reg, PacsDestination d) {
        return reg.get("ich_forward_backlog").tag("destination", d.toString()).gauge().value();
    }

    @Test
    void segArrivesAtThePacsWithItsDatasetByteForByte() throws Exception {
        PacsForwarder.Topics t = topics("a");
        int port = EmbeddedKafka.freePort("127.0.0.1");
        PacsDestination dest = new PacsDestination("PACS_A", "127.0.0.1", port);
        PrometheusMeterRegistry reg = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        byte[] seg = segLikeObject("1.2.3.100", 1);
        long offset = put(t.source(), "1.2.3.100", seg, "seg");
        try (StoreScp scp = StoreScp.start(tmp.resolve("scp-a"), port, "PACS_A");
             PacsForwarder f = forwarder("fwd-a", t, List.of(dest), 3, 100, reg)) {
            ForwardingStatus s = status(read(t.status(), 1, Duration.ofSeconds(60)).get(0));
            assertEquals(ForwardingStatus.Status.SENT, s.status());
            assertEquals(1, s.attempts());
            assertEquals("0000", s.dicomStatus());
            assertEquals("seg", s.kind());
            assertEquals("event-1.2.3.100", s.eventId());
            assertEquals("1.2.3.100", s.seriesInstanceUid());
            assertEquals(dest.toString(), s.destination());

            List<Path> got = scp.received();
            assertEquals(1, got.size(), "one file at the PACS: " + got);
            assertArrayEquals(Dcmtk.datasetOf(seg), Dcmtk.datasetOf(Files.readAllBytes(got.get(0))),
                    "the dataset stored by the PACS is the one on ich.seg.v1, byte for byte");
            assertTrue(Dcmtk.dcmdump(got.get(0)).contains(s.sopInstanceUid()));

            await("commit of offset " + (offset + 1), Duration.ofSeconds(30), () -> uncheck(() -> committed("fwd-a", t.source())) != null);
            assertEquals(offset + 1, committed("fwd-a", t.source()));
            assertEquals(1.0, count(reg, "ich_forward_sent", dest));
            assertEquals(0.0, count(reg, "ich_forward_failures", dest));
            await("backlog 0", Duration.ofSeconds(10), () -> backlog(reg, dest) == 0.0);
            assertNull(f.notReadyReason());
            String scrape = reg.scrape();
            assertTrue(scrape.contains("ich_forward_sent_total{destination=\"" + dest + "\"} 1.0"), scrape);
            assertTrue(scrape.contains("ich_forward_backlog{destination=\"" + dest + "\"}"), scrape);
        }
    }

    /**
     * ich.seg.v1 is written by Kafka Streams in transactions: each adds a commit marker that takes an
     * offset no consumer commits. The backlog once stayed at 1 after everything was stored.
     */
    @Test
    void backlogReturnsToZeroOnATopicWrittenInTransactions() throws Exception {
        PacsForwarder.Topics t = topics("tx");
        int port = EmbeddedKafka.freePort("127.0.0.1");
        PacsDestination dest = new PacsDestination("PACS_TX", "127.0.0.1", port);
        PrometheusMeterRegistry reg = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Properties tx = KAFKA.client();
        tx.put("transactional.id", "pacs-forwarder-it-tx");
        try (KafkaProducer<String, byte[]> streamsLike = new KafkaProducer<>(tx, new StringSerializer(), new ByteArraySerializer())) {
            streamsLike.initTransactions();
            for (int i = 0; i < 2; i++) {
                streamsLike.beginTransaction();
                ProducerRecord<String, byte[]> r = new ProducerRecord<>(t.source(), "1.2.3.30" + i, segLikeObject("1.2.3.30" + i, 30 + i));
                r.headers().add(OutputHeaders.EVENT_ID_HEADER, ("event-tx-" + i).getBytes(StandardCharsets.UTF_8));
                r.headers().add(OutputHeaders.KIND_HEADER, "seg".getBytes(StandardCharsets.UTF_8));
                streamsLike.send(r);
                streamsLike.commitTransaction();
            }
        }
        try (StoreScp scp = StoreScp.start(tmp.resolve("scp-tx"), port, "PACS_TX");
             PacsForwarder f = forwarder("fwd-tx", t, List.of(dest), 3, 100, reg)) {
            await("both stored", Duration.ofSeconds(60), () -> count(reg, "ich_forward_sent", dest) == 2.0);
            // two records and two commit markers: offsets 0..3, end offset 4
            await("backlog 0 after everything is stored", Duration.ofSeconds(15), () -> backlog(reg, dest) == 0.0);
            assertEquals(2, scp.received().size());
        }
    }

    @Test
    void pacsDownAtFirstGetsRetriesThenOneDeliveryAndOneCommit() throws Exception {
        PacsForwarder.Topics t = topics("b");
        int port = EmbeddedKafka.freePort("127.0.0.1");
        PacsDestination dest = new PacsDestination("PACS_B", "127.0.0.1", port);
        PrometheusMeterRegistry reg = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        byte[] seg = segLikeObject("1.2.3.200", 2);
        long offset = put(t.source(), "1.2.3.200", seg, "key-image");
        try (PacsForwarder f = forwarder("fwd-b", t, List.of(dest), 8, 300, reg)) {
            await("two failed attempts", Duration.ofSeconds(30), () -> count(reg, "ich_forward_retries", dest) >= 2);
            assertNull(committed("fwd-b", t.source()), "nothing committed while the PACS is down");
            await("backlog 1 while down", Duration.ofSeconds(10), () -> backlog(reg, dest) == 1.0);
            try (StoreScp scp = StoreScp.start(tmp.resolve("scp-b"), port, "PACS_B")) {
                ForwardingStatus s = status(read(t.status(), 1, Duration.ofSeconds(60)).get(0));
                assertEquals(ForwardingStatus.Status.SENT, s.status());
                assertTrue(s.attempts() >= 3, "attempts " + s.attempts());
                assertEquals("key-image", s.kind());
                await("commit", Duration.ofSeconds(30), () -> uncheck(() -> committed("fwd-b", t.source())) != null);
                assertEquals(offset + 1, committed("fwd-b", t.source()));
                assertEquals(1, scp.received().size(), "delivered exactly once");
                assertArrayEquals(Dcmtk.datasetOf(seg), Dcmtk.datasetOf(Files.readAllBytes(scp.received().get(0))));
                assertEquals(1.0, count(reg, "ich_forward_sent", dest));
                assertEquals(s.attempts() - 1, count(reg, "ich_forward_retries", dest), 0.0);
                assertEquals(0.0, count(reg, "ich_forward_failures", dest));
                assertEquals(1, read(t.status(), 1, Duration.ofSeconds(2)).size(), "one status record, not one per attempt");
                assertNull(f.notReadyReason());
            }
        }
    }

    @Test
    void pacsNeverUpGivesDeadLetterAndTheForwarderGoesOn() throws Exception {
        PacsForwarder.Topics t = topics("c");
        int port = EmbeddedKafka.freePort("127.0.0.1");
        PacsDestination dest = new PacsDestination("PACS_C", "127.0.0.1", port);
        PrometheusMeterRegistry reg = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        long first = put(t.source(), "1.2.3.300", segLikeObject("1.2.3.300", 3), "seg");
        try (PacsForwarder f = forwarder("fwd-c", t, List.of(dest), 3, 50, reg)) {
            ConsumerRecord<String, byte[]> dlr = read(t.deadLetter(), 1, Duration.ofSeconds(60)).get(0);
            String dlJson = new String(dlr.value(), StandardCharsets.UTF_8);
            assertEquals(List.of(), EventSchemas.deadLetterViolations(dlJson), dlJson);
            DeadLetter dl = EventJson.fromBytes(dlr.value(), DeadLetter.class);
            assertEquals("FORWARD", dl.stage());
            assertEquals("DESTINATION_UNREACHABLE", dl.reason());
            assertTrue(dl.detail().contains(dest.toString()) && dl.detail().contains("3 attempts"), dl.detail());
            assertEquals(t.source(), dl.sourceTopic());
            assertEquals(List.of(new ResultEvent.OffsetRange(0, first, first)), dl.offsets());
            assertEquals("1.2.3.300", dl.seriesInstanceUid());
            assertEquals(dest.toString(), dl.destination());

            ForwardingStatus s = status(read(t.status(), 1, Duration.ofSeconds(10)).get(0));
            assertEquals(ForwardingStatus.Status.FAILED, s.status());
            assertEquals(3, s.attempts());
            assertNull(s.dicomStatus(), "no DIMSE status when no association was made");
            assertEquals(List.of(s.sopInstanceUid()), dl.sopInstanceUids());
            await("commit after the dead letter", Duration.ofSeconds(30),
                    () -> Long.valueOf(first + 1).equals(uncheck(() -> committed("fwd-c", t.source()))));
            assertEquals(1.0, count(reg, "ich_forward_failures", dest));

            // A record that is not DICOM is dead-lettered at once, without attempts.
            long garbage = put(t.source(), "1.2.3.301", "not dicom".getBytes(StandardCharsets.UTF_8), "seg");
            DeadLetter unreadable = EventJson.fromBytes(read(t.deadLetter(), 2, Duration.ofSeconds(30)).get(1).value(), DeadLetter.class);
            assertEquals("UNREADABLE_OBJECT", unreadable.reason());
            assertNull(unreadable.destination(), "an unreadable object is not about one destination");
            assertEquals(List.of(new ResultEvent.OffsetRange(0, garbage, garbage)), unreadable.offsets());

            // Still alive: once the PACS is there, the next object goes through.
            try (StoreScp scp = StoreScp.start(tmp.resolve("scp-c"), port, "PACS_C")) {
                long next = put(t.source(), "1.2.3.302", segLikeObject("1.2.3.302", 4), "seg");
                ForwardingStatus s2 = status(read(t.status(), 2, Duration.ofSeconds(60)).get(1));
                assertEquals(ForwardingStatus.Status.SENT, s2.status());
                assertEquals("1.2.3.302", s2.seriesInstanceUid());
                await("commit of the next record", Duration.ofSeconds(30),
                        () -> Long.valueOf(next + 1).equals(uncheck(() -> committed("fwd-c", t.source()))));
                assertEquals(1, scp.received().size());
                assertEquals(1.0, count(reg, "ich_forward_failures", dest), "the earlier failure is not retried");
                assertNull(f.notReadyReason());
            }
        }
    }

    @FunctionalInterface
    interface Call<T> {
        T call() throws Exception;
    }

    private static <T> T uncheck(Call<T> c) {
        try {
            return c.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
