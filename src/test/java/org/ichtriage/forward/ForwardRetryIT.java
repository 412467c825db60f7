package org.ichtriage.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.ichtriage.UserError;
import org.ichtriage.cli.ForwardCommand;
import org.ichtriage.cli.Main;
import org.ichtriage.config.ForwardSettings;
import org.ichtriage.config.PacsDestination;
import org.ichtriage.dicom.codec.DicomReader;
import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.dicom.net.Dcmtk;
import org.ichtriage.events.DeadLetter;
import org.ichtriage.events.EventJson;
import org.ichtriage.events.EventSchemas;
import org.ichtriage.events.ForwardingStatus;
import org.ichtriage.events.OutputHeaders;
import org.ichtriage.kafka.EmbeddedKafka;
import org.ichtriage.testing.EmbeddedKafkaExtension;
import org.ichtriage.testing.TopicRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * `forward --retry` against a real broker and dcmtk storescp: the forwarder gives up on a PACS that is
 * down (nothing listens on its port), the PACS comes up, a dry run lists the object and sends nothing,
 * the retry delivers it and writes SENT, and a second retry finds nothing owed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(StoreScp.Required.class)
class ForwardRetryIT {
    @TempDir
    static Path tmp;
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    /** Writes a SEG-like object as the worker does: keyed by series, with its event id, kind and SOP Instance UID headers. */
    private String put(String topic, String seriesUid, byte[] object) throws Exception {
        String sop = DicomReader.readPart10(object, DicomLimits.DEFAULT).fileMeta().getString(Tag.MediaStorageSOPInstanceUID);
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, seriesUid, object);
        r.headers().add(OutputHeaders.EVENT_ID_HEADER, ("event-" + seriesUid).getBytes(StandardCharsets.UTF_8));
        r.headers().add(OutputHeaders.KIND_HEADER, "seg".getBytes(StandardCharsets.UTF_8));
        r.headers().add(OutputHeaders.SOP_INSTANCE_UID_HEADER, sop.getBytes(StandardCharsets.UTF_8));
        KAFKA.producer().send(r).get(30, TimeUnit.SECONDS);
        return sop;
    }

    private List<ConsumerRecord<String, byte[]>> read(String topic, int atLeast) throws InterruptedException {
        List<ConsumerRecord<String, byte[]>> out = TopicRecords.await(KAFKA.bootstrapServers(), topic, atLeast, Duration.ofSeconds(60),
                Duration.ZERO);
        assertTrue(out.size() >= atLeast, "only " + out.size() + " of " + atLeast + " records on " + topic);
        return out;
    }

    private static ForwardingStatus status(ConsumerRecord<String, byte[]> r) {
        String json = new String(r.value(), StandardCharsets.UTF_8);
        assertEquals(List.of(), EventSchemas.forwardingViolations(json), json);
        return EventJson.fromBytes(r.value(), ForwardingStatus.class);
    }

    private static String run(ForwardRetry retry, String series, boolean dryRun, int expectedExit) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int exit = ForwardCommand.retry(retry, series, null, dryRun, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(expectedExit, exit, out);
        return out;
    }

    @Test
    void whatTheForwarderGaveUpOnIsListedThenDeliveredOnce() throws Exception {
        PacsForwarder.Topics t = new PacsForwarder.Topics("retry.seg", "retry.forwarding", "retry.deadletter");
        KAFKA.createTopics(PacsForwarderIT.LARGE_OBJECTS, List.of(t.source(), t.status(), t.deadLetter()));
        int port = EmbeddedKafka.freePort("127.0.0.1");
        PacsDestination dest = new PacsDestination("PACS_R", "127.0.0.1", port);
        ForwardSettings settings = new ForwardSettings(List.of(dest), 2, 50, false);

        byte[] wanted = PacsForwarderIT.segLikeObject("1.2.3.500", 5);
        String wantedSop = put(t.source(), "1.2.3.500", wanted);
        String otherSop = put(t.source(), "1.2.3.501", PacsForwarderIT.segLikeObject("1.2.3.501", 6));

        // Nothing listens on the port: the forwarder gives up on both objects.
        PrometheusMeterRegistry reg = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (PacsForwarder f = new PacsForwarder(KAFKA.client(), settings, "ICHTRIAGE", "retry-fwd", t, reg, "test", Clock.systemUTC()).start()) {
            List<ConsumerRecord<String, byte[]>> dls = read(t.deadLetter(), 2);
            for (ConsumerRecord<String, byte[]> r : dls) {
                String json = new String(r.value(), StandardCharsets.UTF_8);
                assertEquals(List.of(), EventSchemas.deadLetterViolations(json), json);
                assertEquals(dest.toString(), EventJson.fromBytes(r.value(), DeadLetter.class).destination());
            }
            assertEquals(ForwardingStatus.Status.FAILED, status(read(t.status(), 2).get(1)).status());
        }

        ForwardRetry retry = new ForwardRetry(KAFKA.client(), settings, "ICHTRIAGE", t, Clock.systemUTC());
        // Still down: the retry fails again, says so with exit 1, writes FAILED, and the object stays owed.
        String again = run(retry, "1.2.3.500", false, 1);
        assertTrue(again.contains("FAILED seg " + wantedSop) && again.contains("0 sent, 1 failed again"), again);
        ForwardingStatus failedAgain = status(read(t.status(), 3).get(2));
        assertEquals(ForwardingStatus.Status.FAILED, failedAgain.status());
        assertEquals(2, failedAgain.attempts());
        assertEquals(wantedSop, failedAgain.sopInstanceUid());
        assertThrows(UserError.class, () -> ForwardCommand.retry(retry, null, "NOT_CONFIGURED", true, System.out));

        try (StoreScp scp = StoreScp.start(tmp.resolve("scp-r"), port, "PACS_R")) {
            String listed = run(retry, "1.2.3.500", true, 0);
            assertTrue(listed.contains("would send seg " + wantedSop + " of series 1.2.3.500 to " + dest), listed);
            assertTrue(!listed.contains(otherSop), "--series leaves the other series out: " + listed);
            assertTrue(listed.contains("1 object(s) would be sent, 0 cannot be"), listed);
            Thread.sleep(500);
            assertEquals(List.of(), scp.received(), "a dry run sends nothing");
            assertEquals(3, TopicRecords.await(KAFKA.bootstrapServers(), t.status(), 4, Duration.ofSeconds(2), Duration.ZERO).size(),
                    "a dry run writes no status");

            String sent = run(retry, "1.2.3.500", false, 0);
            assertTrue(sent.contains("SENT seg " + wantedSop), sent);
            assertTrue(sent.contains("1 sent, 0 failed again, 0 cannot be sent"), sent);
            List<Path> got = scp.received();
            assertEquals(1, got.size(), "one file at the PACS: " + got);
            assertTrue(Dcmtk.dcmdump(got.get(0)).contains(wantedSop), "the PACS received the SOP Instance UID");
            assertArrayEquals(Dcmtk.datasetOf(wanted), Dcmtk.datasetOf(Files.readAllBytes(got.get(0))),
                    "the dataset stored is the one on the source topic, byte for byte");

            ForwardingStatus s = status(read(t.status(), 4).get(3));
            assertEquals(ForwardingStatus.Status.SENT, s.status());
            assertEquals(wantedSop, s.sopInstanceUid());
            assertEquals("1.2.3.500", s.seriesInstanceUid());
            assertEquals("event-1.2.3.500", s.eventId());
            assertEquals("seg", s.kind());
            assertEquals(dest.toString(), s.destination());
            assertEquals("0000", s.dicomStatus());

            // The SENT settles it: only the other series is still owed.
            assertTrue(run(retry, "1.2.3.500", true, 0).startsWith("nothing to re-send"));

            // A FAILED status with no dead letter beside it (as an older forwarder's, whose dead letters named no
            // destination) is owed too; the object is then found by reading the source topic, not at an offset.
            String olderSop = put(t.source(), "1.2.3.502", PacsForwarderIT.segLikeObject("1.2.3.502", 7));
            ForwardingStatus older = new ForwardingStatus(ForwardingStatus.SCHEMA, "event-1.2.3.502", "1.2.3.502", olderSop, "seg",
                    dest.toString(), ForwardingStatus.Status.FAILED, 3, null, java.time.Instant.now().toString());
            KAFKA.producer().send(new ProducerRecord<>(t.status(), "1.2.3.502", EventJson.toBytes(older))).get(30, TimeUnit.SECONDS);

            List<ForwardRetry.Planned> left = retry.plan(ForwardRetry.Filter.all());
            assertEquals(List.of(otherSop, olderSop), left.stream().map(p -> p.owed().sopInstanceUid()).toList());
            assertTrue(left.get(0).owed().source() != null, "the dead letter gave the object's offset");
            assertEquals(null, left.get(1).owed().source(), "a status record names no offset");
            assertEquals(List.of("seg", "seg"), left.stream().map(ForwardRetry.Planned::kind).toList(), "both found on the source topic");
            assertTrue(left.stream().allMatch(p -> p.obstacle() == null), left.toString());
        }
    }

    @Test
    void theCommandReadsTheConfiguredKafkaAndDestinations() throws Exception {
        int port = EmbeddedKafka.freePort("127.0.0.1");
        PrintStream stdout = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int exit;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            exit = Main.execute("forward", "--retry", "--dry-run", "--bootstrap-servers", KAFKA.bootstrapServers(),
                    "--set", "forward.destinations=PACS_X@127.0.0.1:" + port, "--series", "1.2.3.599",
                    "--state-dir", tmp.resolve("cli-state").toString());
        } finally {
            System.setOut(stdout);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, out);
        assertTrue(out.contains("nothing to re-send: no object is owed to a destination for series 1.2.3.599"), out);
        assertEquals(2, Main.execute("forward", "--retry", "--bootstrap-servers", KAFKA.bootstrapServers(),
                "--set", "forward.destinations=", "--state-dir", tmp.resolve("cli-state").toString()), "no destination is exit 2");
    }
}
