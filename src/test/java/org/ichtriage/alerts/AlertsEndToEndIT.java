package org.ichtriage.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.hl7.fhir.r4.model.Bundle;
import org.ichtriage.Topics;
import org.ichtriage.alerts.fhir.FhirBundleBuilder;
import org.ichtriage.alerts.hl7.OruMessageBuilder;
import org.ichtriage.alerts.webhook.WebhookChannel;
import org.ichtriage.alerts.webhook.WebhookSignature;
import org.ichtriage.kafka.EmbeddedKafka;
import org.ichtriage.service.IchTriageService;
import org.ichtriage.config.IchConfig;
import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.DicomReader;
import org.ichtriage.dicom.codec.Part10File;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.dicom.net.DicomClient;
import org.ichtriage.dicom.net.ScuConfig;
import org.ichtriage.phantom.CtSeriesWriter;
import org.ichtriage.phantom.HeadPhantom;
import org.ichtriage.phantom.PhantomSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import ca.uhn.hl7v2.model.v251.message.ORU_R01;

/**
 * The whole product path with the three alert outputs on: a phantom head CT sent by C-STORE to a running
 * ich-triage (embedded broker, DICOM listener, worker with the tiny test model, and the alert roles)
 * gives one ORU at a real MLLP listener, one Bundle at a FHIR endpoint and one signed webhook call, each
 * with the event id and the volume of the result event on ich.results.v1.
 */
class AlertsEndToEndIT {
    static final String TEST_MODEL = Path.of("target/test-classes/models/test-tiny.onnx").toAbsolutePath().toString();
    static final String SECRET = "e2e-webhook-secret-0123456789";

    @TempDir
    Path tmp;

    @Test
    void phantomByCStoreGivesOneOruOneBundleAndOneWebhookWithTheEventsIdAndVolume() throws Exception {
        int mllpPort = EmbeddedKafka.freePort("127.0.0.1");
        try (MllpListener mllp = MllpListener.accepting(mllpPort);
             HttpReceiver fhir = new HttpReceiver();
             HttpReceiver hook = new HttpReceiver()) {
            Map<String, String> s = new HashMap<>();
            s.put("state.dir", tmp.resolve("state").toString());
            s.put("kafka.embedded.port", "0");
            s.put("http.port", "0");
            s.put("dicom.port", "0");
            s.put("topics.partitions", "2");
            s.put("model.path", TEST_MODEL);
            s.put("results.patient-key-secret", "alerts-e2e-secret-0001");
            s.put("alerts.backoff-ms", "200");
            s.put("alerts.board-url", "http://127.0.0.1:8080/ui");
            s.put("alerts.hl7.destinations", "127.0.0.1:" + mllpPort);
            s.put("alerts.fhir.base-url", fhir.url("/fhir"));
            s.put("alerts.fhir.bearer-token", "e2e-token");
            s.put("alerts.webhook.urls", hook.url("/hook"));
            s.put("alerts.webhook.secret", SECRET);
            s.put("alerts.webhook.body", "event");
            // the tiny test model's verdict is not the point here: every category is sent
            for (String o : List.of("hl7", "fhir", "webhook")) {
                s.put("alerts." + o + ".min-category", "negative");
            }
            IchConfig config = IchConfig.load(null, Map.of(), s);
            try (IchTriageService service = new IchTriageService(config).start()) {
                var study = CtSeriesWriter.StudyIdentity.random("ALERTS-E2E");
                List<byte[]> instances = HeadPhantom.generate(PhantomSpec.withHemorrhage(11).withMatrix(128).withSlices(12))
                        .toDicom(study, true);
                assertEquals(instances.size(), cStore(service.dicomPort(), config.dicom().aeTitle(), instances), "every slice stored");

                JsonNode event = awaitOne(service, Topics.RESULTS, study.seriesInstanceUid(), Duration.ofSeconds(180));
                String eventId = event.get("event_id").asText();
                double ml = event.get("volume").get("ml").asDouble();
                // all three outputs settled: one SENT status each
                List<JsonNode> statuses = awaitStatuses(service, eventId, 3, Duration.ofSeconds(60));
                assertEquals(Set.of("hl7", "fhir", "webhook"), Set.copyOf(statuses.stream().map(n -> n.get("output").asText()).toList()));
                statuses.forEach(n -> assertEquals("SENT", n.get("outcome").asText(), n.toString()));

                assertEquals(1, mllp.received.size(), "one ORU");
                ORU_R01 oru = mllp.received.get(0);
                assertEquals(eventId, oru.getMSH().getMessageControlID().getValue());
                assertEquals(study.studyInstanceUid(), oru.getPATIENT_RESULT().getORDER_OBSERVATION().getOBR().getFillerField1().getValue());
                String oruVolume = Hl7Messages.observations(oru).get(OruMessageBuilder.VOLUME);
                assertEquals(ml, Double.parseDouble(oruVolume.split("\\|")[0]), 0.005, oruVolume);
                String pid = oru.getPATIENT_RESULT().getPATIENT().getPID().encode();
                assertTrue(pid.contains(event.get("patient").get("key").asText()), pid);
                assertTrue(!oru.encode().contains("PHANTOM") && !oru.encode().contains("ALERTS-E2E"),
                        "neither the name nor the PatientID leaves without alerts.hl7.patient-identity");

                assertEquals(1, fhir.requests.size(), "one Bundle");
                Bundle b = FhirBundleBuilder.context().newJsonParser().parseResource(Bundle.class,
                        new String(fhir.requests.get(0).body(), StandardCharsets.UTF_8));
                assertEquals(eventId, b.getIdentifier().getValue());
                assertEquals(ml, FhirBundleBuilderTest.observation(b, "ich-volume").getValueQuantity().getValue().doubleValue(), 0.005);
                assertEquals("Bearer e2e-token", fhir.requests.get(0).header("Authorization"));
                assertEquals(List.of(), FhirValidation.errors(b));

                assertEquals(1, hook.requests.size(), "one webhook call");
                HttpReceiver.Request call = hook.requests.get(0);
                assertNull(WebhookSignature.verify(SECRET.getBytes(StandardCharsets.UTF_8), call.header(WebhookSignature.HEADER),
                        call.body(), call.at().getEpochSecond(), 300));
                assertEquals(eventId, call.header(WebhookChannel.EVENT_ID_HEADER));
                JsonNode body = TestEvents.JSON.readTree(call.body());
                assertEquals(eventId, body.get("event_id").asText());
                assertEquals(ml, body.get("volume").get("ml").asDouble(), 0.0, "the event itself is the body");
                assertTrue(body.has("triage_category"));

                String metrics = service.registry().scrape();
                assertTrue(metrics.contains("ich_alert_sent_total{destination=\"mllp://127.0.0.1:" + mllpPort + "\",output=\"hl7\"} 1.0"),
                        metrics);
            }
        }
    }

    /** C-STORE over one association, as a modality does; the number of instances stored. */
    static int cStore(int port, String calledAet, List<byte[]> instances) throws Exception {
        Set<String> classes = new LinkedHashSet<>();
        Set<String> syntaxes = new LinkedHashSet<>();
        List<Part10File> files = new ArrayList<>();
        for (byte[] b : instances) {
            Part10File f = DicomReader.readPart10(b, DicomLimits.DEFAULT);
            files.add(f);
            classes.add(f.fileMeta().getString(Tag.MediaStorageSOPClassUID));
            syntaxes.add(f.transferSyntaxUid());
        }
        int stored = 0;
        try (DicomClient c = DicomClient.connect(ScuConfig.of("127.0.0.1", port, calledAet, "MODALITY"), DicomClient.propose(classes, syntaxes))) {
            for (int i = 0; i < instances.size(); i++) {
                byte[] b = instances.get(i);
                Part10File f = files.get(i);
                int off = DicomReader.datasetOffset(b);
                if (c.store(f.fileMeta().getString(Tag.MediaStorageSOPClassUID), f.fileMeta().getString(Tag.MediaStorageSOPInstanceUID),
                        f.transferSyntaxUid(), b, off, b.length - off).isStored()) {
                    stored++;
                }
            }
            c.release();
        }
        return stored;
    }

    private static KafkaConsumer<String, byte[]> reader(IchTriageService service) {
        Properties p = service.kafka().clientProperties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(Topics.MAX_MESSAGE_BYTES));
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static List<JsonNode> readAll(IchTriageService service, String topic) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = reader(service)) {
            var parts = c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(pi -> new org.apache.kafka.common.TopicPartition(topic, pi.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            var end = c.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.add(TestEvents.JSON.readTree(r.value()));
                }
            }
        }
        return out;
    }

    private static JsonNode awaitOne(IchTriageService service, String topic, String series, Duration timeout) throws Exception {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (System.currentTimeMillis() < deadline) {
            List<JsonNode> found = readAll(service, topic).stream()
                    .filter(n -> series.equals(n.path("series_instance_uid").asText())).toList();
            if (!found.isEmpty()) {
                assertEquals(1, found.size(), "one result event for the series");
                return found.get(0);
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no record for series " + series + " on " + topic + " within " + timeout);
    }

    private static List<JsonNode> awaitStatuses(IchTriageService service, String eventId, int n, Duration timeout) throws Exception {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        List<JsonNode> found = List.of();
        while (System.currentTimeMillis() < deadline) {
            found = readAll(service, AlertDelivery.STATUS_TOPIC).stream().filter(x -> eventId.equals(x.path("event_id").asText())).toList();
            if (found.size() >= n) {
                return found;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("only " + found.size() + " alert statuses for event " + eventId + " within " + timeout + ": " + found);
    }
}
