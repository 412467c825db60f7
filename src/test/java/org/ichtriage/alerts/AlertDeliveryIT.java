package org.ichtriage.alerts;

import org.ichtriage.events.TriageCategory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.hl7.fhir.r4.model.Bundle;
import org.ichtriage.alerts.fhir.FhirBundleBuilder;
import org.ichtriage.alerts.fhir.FhirChannel;
import org.ichtriage.alerts.hl7.MllpChannel;
import org.ichtriage.alerts.hl7.OruMessageBuilder;
import org.ichtriage.alerts.webhook.WebhookChannel;
import org.ichtriage.alerts.webhook.WebhookSignature;
import org.ichtriage.kafka.EmbeddedKafka;
import org.ichtriage.testing.Await;
import org.ichtriage.testing.EmbeddedKafkaExtension;
import org.ichtriage.testing.TopicRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * Each alert output against a real embedded broker and a real peer: HAPI's MLLP server, and an
 * in-process HTTP server for FHIR and webhooks. Each test has its own topics and consumer group.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AlertDeliveryIT {
    static final String SECRET = "it-webhook-secret-0123456789";

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    private AlertDelivery.Topics topics(String name) throws Exception {
        AlertDelivery.Topics t = new AlertDelivery.Topics(name + ".results", name + ".alert-status", name + ".deadletter");
        KAFKA.createTopics(Map.of(), List.of(t.source(), t.status(), t.deadLetter()));
        return t;
    }

    private long put(String topic, ObjectNode event) throws Exception {
        return KAFKA.producer().send(new ProducerRecord<>(topic, event.path("series_instance_uid").asText(), TestEvents.bytes(event)))
                .get(30, TimeUnit.SECONDS).offset();
    }

    private AlertDelivery delivery(Channel c, TriageCategory min, int maxAttempts, long backoffMs, String group,
                                   AlertDelivery.Topics t, PrometheusMeterRegistry reg) {
        return new AlertDelivery(KAFKA.client(), c, new DeliveryRule(min, DeliveryRule.Revisions.CHANGED), maxAttempts, backoffMs, group, t,
                reg, "test", Clock.systemUTC()).start();
    }

    private Long committed(String group, String topic) {
        try {
            return KAFKA.committed(group, topic);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private List<ConsumerRecord<String, byte[]>> read(String topic, int atLeast, Duration timeout) throws InterruptedException {
        List<ConsumerRecord<String, byte[]>> out = TopicRecords.await(KAFKA.bootstrapServers(), topic, atLeast, timeout, Duration.ZERO);
        assertTrue(out.size() >= atLeast, "only " + out.size() + " of " + atLeast + " records on " + topic + " within " + timeout);
        return out;
    }

    private static List<AlertStatus> statuses(List<ConsumerRecord<String, byte[]>> records) throws Exception {
        List<AlertStatus> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            String json = new String(r.value(), StandardCharsets.UTF_8);
            assertEquals(List.of(), Schemas.violations(Schemas.STATUS, json), json);
            out.add(TestEvents.JSON.readValue(r.value(), AlertStatus.class));
        }
        return out;
    }

    private static JsonNode deadLetter(ConsumerRecord<String, byte[]> r) throws Exception {
        String json = new String(r.value(), StandardCharsets.UTF_8);
        assertEquals(List.of(), Schemas.violations(Schemas.DEADLETTER, json), json);
        return TestEvents.JSON.readTree(json);
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        Await.until(what, timeout, condition);
    }

    private static double count(PrometheusMeterRegistry reg, String name, String output) {
        return reg.get(name).tag("output", output).counter().count();
    }

    @Test
    void webhookIsSignedSoTheReceiverVerifiesItAndRejectsReplaysAndChanges() throws Exception {
        AlertDelivery.Topics t = topics("wh");
        PrometheusMeterRegistry reg = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        long garbage = KAFKA.producer().send(new ProducerRecord<>(t.source(), "x", "not json".getBytes(StandardCharsets.UTF_8)))
                .get(30, TimeUnit.SECONDS).offset();
        ObjectNode event = TestEvents.event("1.2.3.100", 1, true, false, 17.25);
        long offset = put(t.source(), event);
        try (HttpReceiver hook = new HttpReceiver();
             AlertDelivery d = delivery(new WebhookChannel(List.of(URI.create(hook.url("/T0/B0/token-in-path"))), SECRET,
                     WebhookBody.COMPACT, "https://board.example.org", Clock.systemUTC()), TriageCategory.INDETERMINATE, 3, 50,
                     "wh", t, reg)) {
            await("the webhook call", Duration.ofSeconds(60), () -> hook.requests.size() == 1);
            HttpReceiver.Request req = hook.requests.get(0);
            String eventId = event.get("event_id").asText();
            long now = req.at().getEpochSecond();
            byte[] key = SECRET.getBytes(StandardCharsets.UTF_8);
            String sig = req.header(WebhookSignature.HEADER);
            assertNull(WebhookSignature.verify(key, sig, req.body(), now, 300), "the receiver verifies the signature: " + sig);
            assertNotNull(WebhookSignature.verify(key, sig, req.body(), now + 301, 300), "the same request replayed later fails");
            byte[] altered = new String(req.body(), StandardCharsets.UTF_8).replace("17.25", "71.25").getBytes(StandardCharsets.UTF_8);
            assertNotNull(WebhookSignature.verify(key, sig, altered, now, 300), "an altered body fails");
            assertEquals(eventId, req.header(WebhookChannel.EVENT_ID_HEADER));
            assertEquals(eventId, req.header(WebhookChannel.IDEMPOTENCY_HEADER));
            JsonNode body = TestEvents.JSON.readTree(req.body());
            assertEquals(eventId, body.get("event_id").asText());
            assertEquals("positive", body.get("triage_category").asText());
            assertEquals(17.25, body.get("volume_ml").asDouble());
            assertTrue(body.path("patient").isMissingNode(), "the compact body has no patient data: " + body);
            assertTrue(body.get("link").asText().endsWith("/studies/" + event.get("study_instance_uid").asText()));

            JsonNode dl = deadLetter(read(t.deadLetter(), 1, Duration.ofSeconds(30)).get(0));
            assertEquals("ALERT", dl.get("stage").asText());
            assertEquals("UNREADABLE_EVENT", dl.get("reason").asText());
            assertEquals(garbage, dl.get("offsets").get(0).get("first").asLong());

            AlertStatus s = statuses(read(t.status(), 1, Duration.ofSeconds(30))).get(0);
            assertEquals(AlertStatus.Outcome.SENT, s.outcome());
            assertEquals(eventId, s.eventId());
            assertEquals("webhook", s.output());
            assertEquals("http://127.0.0.1:" + URI.create(hook.url("/")).getPort() + "#1", s.destination(), "no token from the path");
            await("commit", Duration.ofSeconds(30), () -> Long.valueOf(offset + 1).equals(committed("wh", t.source())));
            assertEquals(1.0, count(reg, "ich_alert_sent", "webhook"));
            await("backlog 0", Duration.ofSeconds(10), () -> reg.get("ich_alert_backlog").gauge().value() == 0.0);
            assertEquals(1, reg.get("ich_alert_latency").timer().count());
            assertNull(d.notReadyReason());
        }
    }

    @Test
    void mllpListenerGetsTheOruAndAnswersAaAndTheRuleSkipsANegative() throws Exception {
        AlertDelivery.Topics t = topics("h1");
        int port = EmbeddedKafka.freePort("127.0.0.1");
        PrometheusMeterRegistry reg = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ObjectNode negative = TestEvents.event("1.2.3.201", 1, false, false, 0);
        ObjectNode positive = TestEvents.event("1.2.3.200", 1, true, false, 12.5);
        put(t.source(), negative);
        long offset = put(t.source(), positive);
        try (MllpListener mllp = MllpListener.accepting(port);
             AlertDelivery d = delivery(mllpChannel(port), TriageCategory.INDETERMINATE, 3, 50, "h1", t, reg)) {
            await("the ORU", Duration.ofSeconds(60), () -> mllp.received.size() == 1);
            ORU_R01 m = mllp.received.get(0);
            assertEquals(positive.get("event_id").asText(), m.getMSH().getMessageControlID().getValue());
            assertEquals("12.50|mL", Hl7Messages.observations(m).get(OruMessageBuilder.VOLUME));
            List<AlertStatus> st = statuses(read(t.status(), 2, Duration.ofSeconds(30)));
            assertEquals(AlertStatus.Outcome.SKIPPED, st.get(0).outcome());
            assertEquals(negative.get("event_id").asText(), st.get(0).eventId());
            assertEquals(AlertStatus.Outcome.SENT, st.get(1).outcome());
            assertTrue(st.get(1).detail().startsWith("AA"), st.get(1).detail());
            await("commit", Duration.ofSeconds(30), () -> Long.valueOf(offset + 1).equals(committed("h1", t.source())));
            assertEquals(1, mllp.received.size(), "the negative was not sent");
            assertEquals(1.0, count(reg, "ich_alert_skipped", "hl7"));
        }
    }

    @Test
    void mllpAeIsRetriedThenDeadLettered() throws Exception {
        AlertDelivery.Topics t = topics("h2");
        int port = EmbeddedKafka.freePort("127.0.0.1");
        PrometheusMeterRegistry reg = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ObjectNode event = TestEvents.event("1.2.3.300", 1, true, true, 8);
        long offset = put(t.source(), event);
        try (MllpListener mllp = MllpListener.refusing(port);
             AlertDelivery d = delivery(mllpChannel(port), TriageCategory.INDETERMINATE, 3, 50, "h2", t, reg)) {
            JsonNode dl = deadLetter(read(t.deadLetter(), 1, Duration.ofSeconds(60)).get(0));
            assertEquals("ALERT", dl.get("stage").asText());
            assertEquals("DESTINATION_REFUSED", dl.get("reason").asText());
            assertTrue(dl.get("detail").asText().contains("AE") && dl.get("detail").asText().contains(MllpListener.AE_TEXT),
                    dl.get("detail").asText());
            assertEquals("1.2.3.300", dl.get("series_instance_uid").asText());
            assertEquals(offset, dl.get("offsets").get(0).get("first").asLong());
            List<AlertStatus> st = statuses(read(t.status(), 3, Duration.ofSeconds(30)));
            assertEquals(List.of(AlertStatus.Outcome.RETRY, AlertStatus.Outcome.RETRY, AlertStatus.Outcome.FAILED),
                    st.stream().map(AlertStatus::outcome).toList(), "one status record per attempt");
            assertEquals(List.of(1, 2, 3), st.stream().map(AlertStatus::attempt).toList());
            assertTrue(st.get(2).detail().contains(MllpListener.AE_TEXT), st.get(2).detail());
            assertEquals(3, mllp.received.size());
            await("commit after the dead letter", Duration.ofSeconds(30), () -> Long.valueOf(offset + 1).equals(committed("h2", t.source())));
            assertEquals(1.0, count(reg, "ich_alert_failed", "hl7"));
            assertEquals(2.0, count(reg, "ich_alert_retries", "hl7"));
        }
    }

    @Test
    void mllpListenerDownAtFirstGetsTheMessageOnceItIsUp() throws Exception {
        AlertDelivery.Topics t = topics("h3");
        int port = EmbeddedKafka.freePort("127.0.0.1");
        PrometheusMeterRegistry reg = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ObjectNode event = TestEvents.event("1.2.3.400", 1, true, false, 30);
        long offset = put(t.source(), event);
        try (AlertDelivery d = delivery(mllpChannel(port), TriageCategory.INDETERMINATE, 10, 300, "h3", t, reg)) {
            await("two failed attempts", Duration.ofSeconds(30), () -> count(reg, "ich_alert_retries", "hl7") >= 2);
            assertNull(committed("h3", t.source()), "nothing committed while the listener is down");
            await("backlog 1 while down", Duration.ofSeconds(10), () -> reg.get("ich_alert_backlog").gauge().value() == 1.0);
            try (MllpListener mllp = MllpListener.accepting(port)) {
                await("commit", Duration.ofSeconds(60), () -> Long.valueOf(offset + 1).equals(committed("h3", t.source())));
                assertEquals(1, mllp.received.size(), "exactly one ORU for the event");
                assertEquals(event.get("event_id").asText(), mllp.received.get(0).getMSH().getMessageControlID().getValue());
                List<AlertStatus> st = statuses(read(t.status(), 3, Duration.ofSeconds(30)));
                AlertStatus last = st.get(st.size() - 1);
                assertEquals(AlertStatus.Outcome.SENT, last.outcome());
                assertTrue(last.attempt() >= 3, "attempt " + last.attempt());
                assertEquals(last.attempt() - 1, st.stream().filter(s -> s.outcome() == AlertStatus.Outcome.RETRY).count());
                assertEquals(1.0, count(reg, "ich_alert_sent", "hl7"));
            }
        }
    }

    @Test
    void fhirServerErrorIsRetriedAndTheBundleValidates() throws Exception {
        AlertDelivery.Topics t = topics("f1");
        PrometheusMeterRegistry reg = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ObjectNode event = TestEvents.event("1.2.3.500", 1, true, false, 44.4);
        long offset = put(t.source(), event);
        try (HttpReceiver fhir = new HttpReceiver(500);
             AlertDelivery d = delivery(new FhirChannel(URI.create(fhir.url("/fhir")), "token-123", new FhirBundleBuilder(null),
                     Clock.systemUTC()), TriageCategory.INDETERMINATE, 3, 100, "f1", t, reg)) {
            await("commit", Duration.ofSeconds(60), () -> Long.valueOf(offset + 1).equals(committed("f1", t.source())));
            assertEquals(2, fhir.requests.size(), "the 500 was retried once, then 200");
            for (HttpReceiver.Request r : fhir.requests) {
                assertEquals("Bearer token-123", r.header("Authorization"));
                assertEquals("application/fhir+json", r.header("Content-Type"));
                assertEquals("/fhir", r.path());
            }
            Bundle b = FhirBundleBuilder.context().newJsonParser().parseResource(Bundle.class,
                    new String(fhir.requests.get(1).body(), StandardCharsets.UTF_8));
            assertEquals(List.of(), FhirValidation.errors(b));
            assertEquals(event.get("event_id").asText(), b.getIdentifier().getValue());
            assertEquals(44.4, FhirBundleBuilderTest.observation(b, "ich-volume").getValueQuantity().getValue().doubleValue(), 1e-9);
            List<AlertStatus> st = statuses(read(t.status(), 2, Duration.ofSeconds(30)));
            assertEquals(AlertStatus.Outcome.RETRY, st.get(0).outcome());
            assertTrue(st.get(0).detail().startsWith("HTTP 500"), st.get(0).detail());
            assertEquals(AlertStatus.Outcome.SENT, st.get(1).outcome());
            assertEquals(1.0, count(reg, "ich_alert_retries", "fhir"));
            assertEquals(1.0, count(reg, "ich_alert_sent", "fhir"));
        }
    }

    private static MllpChannel mllpChannel(int port) {
        return new MllpChannel(List.of(new AlertSettings.MllpDestination("127.0.0.1", port)), false, 5000,
                new OruMessageBuilder(new OruMessageBuilder.Options(false, "", "", "", null)), Clock.systemUTC());
    }

}
