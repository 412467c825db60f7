package org.ichtriage.cli;

import org.ichtriage.Topics;
import org.ichtriage.audit.Replay;
import org.ichtriage.audit.ReplayComparison;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.ichtriage.config.IchConfig;
import org.ichtriage.phantom.CtSeriesWriter;
import org.ichtriage.phantom.HeadPhantom;
import org.ichtriage.phantom.PhantomSpec;
import org.ichtriage.events.EventJson;
import org.ichtriage.events.EventSchemas;
import org.ichtriage.events.ResultEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.ichtriage.kafka.EmbeddedKafka;
import org.ichtriage.kafka.KafkaConnection;
import org.ichtriage.kafka.TopicReader;
import org.ichtriage.service.IchTriageService;
import org.ichtriage.testing.EmbeddedKafkaExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Replay and explain against a real broker: a worker (the `run --role worker` service with the
 * test-tiny model) analyses a phantom series, then the range is replayed and explained.
 * The other-model case replays with the shipped model against an original from the test model.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplayIT {
    private Path dir;
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    private EmbeddedKafka broker;
    private IchConfig config;
    private IchTriageService worker;
    private KafkaConnection kafka;
    private CtSeriesWriter.StudyIdentity study;
    private Instant sentFrom;
    private Instant sentTo;
    private ResultEvent original;

    @BeforeAll
    void startBrokerAndWorkerAndAnalyseOneSeries() throws Exception {
        dir = Files.createTempDirectory("replay-it-");
        broker = KAFKA.broker();
        config = IchConfig.load(null, Map.of(), Map.of(
                "kafka.bootstrap-servers", broker.bootstrapServers(), "state.dir", dir.resolve("state").toString(),
                "role", "worker", "http.port", "0", "topics.partitions", "2",
                "model.path", RunCommandIT.TEST_MODEL, "results.patient-key-secret", "replay-it-secret"));
        worker = new IchTriageService(config).start();
        kafka = new KafkaConnection(broker.bootstrapServers(), config.kafka());

        study = CtSeriesWriter.StudyIdentity.random("REPLAY-IT-1");
        List<byte[]> instances = HeadPhantom.generate(PhantomSpec.withHemorrhage(11).withMatrix(128).withSlices(12)).toDicom(study, true);
        Properties p = kafka.clientProperties();
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES);
        // the worker created ich.instances.v1 moments ago; like Replay.copy, a burst that must not lose a record is not idempotent
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        sentFrom = Instant.now().minusSeconds(1);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            List<java.util.concurrent.Future<?>> sent = new java.util.ArrayList<>();
            for (byte[] b : instances) {
                sent.add(producer.send(new ProducerRecord<>(Topics.INSTANCES, study.seriesInstanceUid(), b)));
            }
            for (var f : sent) {
                f.get(); // a lost test record would show up as a replay MISMATCH that is not the replay's fault
            }
        }
        sentTo = Instant.now().plusSeconds(1);
        long deadline = System.currentTimeMillis() + 120_000;
        while (original == null && System.currentTimeMillis() < deadline) {
            Thread.sleep(500);
            try (TopicReader reader = new TopicReader(kafka)) {
                var found = reader.readAll(Topics.RESULTS, r -> study.seriesInstanceUid().equals(r.key()));
                if (!found.isEmpty()) {
                    original = EventJson.fromBytes(found.get(0).value(), ResultEvent.class);
                }
            }
        }
        assertTrue(original != null, "the worker produced no result within 120 s");
    }

    @AfterAll
    void stop() {
        if (worker != null) worker.close();
    }

    @Test
    void replayOfTheRangeWithTheSameModelMatchesTheOriginal() throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        Replay.Outcome outcome = new Replay(config, kafka, new PrintStream(text, true, StandardCharsets.UTF_8))
                .run(new Replay.Request(sentFrom, sentTo, Optional.empty(), 180_000));
        String printed = text.toString(StandardCharsets.UTF_8);
        assertEquals(1, outcome.comparisons().size(), printed);
        ReplayComparison c = outcome.comparisons().get(0);
        assertEquals(ReplayComparison.Verdict.MATCH, c.verdict(), printed);
        assertTrue(printed.contains("MATCH " + study.seriesInstanceUid()), printed);
        assertTrue(printed.contains("1 of 1 series MATCH"), printed);

        assertEquals(1, outcome.replayedEvents().size());
        String json = outcome.replayedEvents().get(0);
        assertEquals(List.of(), EventSchemas.resultViolations(json), json);
        ResultEvent replayed = EventJson.fromBytes(json.getBytes(StandardCharsets.UTF_8), ResultEvent.class);
        assertEquals(original.provenance().inputDigest(), replayed.provenance().inputDigest());
        assertEquals(original.model().sha256(), replayed.model().sha256());
        assertTrue(ReplayComparison.volumesAgree(original.volume().ml(), replayed.volume().ml()),
                original.volume().ml() + " vs " + replayed.volume().ml());
        assertEquals(original.flags(), replayed.flags());
        assertEquals(outcome.applicationId(), replayed.provenance().applicationId());
        assertEquals("FORCED", replayed.provenance().completionReason().equals("COUNT") ? "FORCED" : replayed.provenance().completionReason(),
                "completed by its count or by the replay's force-complete record");

        try (Admin admin = kafka.admin()) {
            var topics = admin.listTopics().names().get();
            assertFalse(topics.stream().anyMatch(t -> t.startsWith("ich.replay-input.") || t.startsWith(outcome.applicationId())),
                    "temporary topics left behind: " + topics);
        }
    }

    @Test
    void replayWithAnotherModelListsTheDifferencesInsteadOfFailing() throws Exception {
        Path shipped = Path.of("models/slexnet-ich.onnx").toAbsolutePath();
        IchConfig other = IchConfig.load(null, Map.of(), Map.of(
                "kafka.bootstrap-servers", broker.bootstrapServers(), "state.dir", dir.resolve("state").toString(),
                "role", "worker", "http.port", "0", "topics.partitions", "2",
                "model.path", shipped.toString(), "results.patient-key-secret", "replay-it-secret"));
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        Replay.Outcome outcome = new Replay(other, kafka, new PrintStream(text, true, StandardCharsets.UTF_8))
                .run(new Replay.Request(sentFrom, sentTo, Optional.of(study.seriesInstanceUid()), 180_000));
        String printed = text.toString(StandardCharsets.UTF_8);
        assertEquals(1, outcome.comparisons().size(), printed);
        ReplayComparison c = outcome.comparisons().get(0);
        assertEquals(ReplayComparison.Verdict.MODEL_CHANGED, c.verdict(), printed);
        assertFalse(outcome.allMatch(), printed);
        ResultEvent replayed = EventJson.fromBytes(outcome.replayedEvents().get(0).getBytes(StandardCharsets.UTF_8), ResultEvent.class);
        assertEquals(original.provenance().inputDigest(), replayed.provenance().inputDigest(), "same input, other model");
        assertFalse(original.model().sha256().equals(replayed.model().sha256()));
        assertTrue(c.differences().get(0).startsWith("model " + original.model().name() + " " + original.model().version()
                + " (" + original.model().sha256().substring(0, 12) + ") -> " + replayed.model().name()), c.differences().toString());
        // the two models disagree on this phantom's volume, and the listing says by how much
        assertFalse(ReplayComparison.volumesAgree(original.volume().ml(), replayed.volume().ml()),
                original.volume().ml() + " vs " + replayed.volume().ml());
        assertTrue(c.differences().stream().anyMatch(d -> d.startsWith("volume.ml " + original.volume().ml())), c.differences().toString());
        assertTrue(printed.contains("MODEL_CHANGED " + study.seriesInstanceUid()), printed);
        assertTrue(printed.contains("0 of 1 series MATCH"), printed);
    }

    @Test
    void explainTellsTheStoryOfTheSeriesFromKafka() {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        ExplainCommand.explain(kafka, study.seriesInstanceUid(), new PrintStream(text, true, StandardCharsets.UTF_8));
        String printed = text.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("series " + study.seriesInstanceUid()), printed);
        assertTrue(printed.contains(Topics.INSTANCES + ": 12 records"), printed);
        assertEquals(12, printed.lines().filter(l -> l.startsWith("  instance p")).count(), printed);
        assertTrue(printed.contains("event " + original.eventId() + " revision 1 completion COUNT"), printed);
        assertTrue(printed.contains("summary: 12 instances received; completed by COUNT into 1 result revision(s)"), printed);
        assertFalse(printed.contains("REPLAY-IT-1"), "PatientID printed: " + printed);
    }
}
