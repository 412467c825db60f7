package org.ichtriage.alerts;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.ichtriage.events.DeadLetterReason;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.ichtriage.DeliveryLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Sends every result event on ich.results.v1 that its rule selects to each destination of one output
 * (HL7 over MLLP, FHIR or webhook), in its own consumer group and thread: the delivery promise of the
 * PACS forwarder. At least once: an offset is committed only after every destination accepted the
 * event or its dead letter was written; each attempt leaves a status record; retries wait
 * backoff-ms, doubling up to five minutes; the event id is the idempotency key in every message.
 */
public final class AlertDelivery implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AlertDelivery.class);

    public static final String GROUP_PREFIX = "ich-triage-alerts-";
    public static final String STATUS_TOPIC = "ich.alert-status.v1";
    /** Longest one attempt can take: connect plus answer timeouts of every channel. */
    static final long ATTEMPT_MS = 45_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where the delivery reads and writes; tests give their own names. */
    public record Topics(String source, String status, String deadLetter) {
        public static Topics defaults() {
            return new Topics(org.ichtriage.Topics.RESULTS, STATUS_TOPIC, org.ichtriage.Topics.DEADLETTER);
        }
    }

    private final Channel channel;
    private final DeliveryRule rule;
    private final int maxAttempts;
    private final long backoffMs;
    private final Topics topics;
    private final String groupId;
    private final String softwareVersion;
    private final Clock clock;
    private final KafkaProducer<String, byte[]> producer;
    private final DeliveryLoop loop;
    private final List<String> names;
    private final List<Counter> sent = new ArrayList<>();
    private final List<Counter> failed = new ArrayList<>();
    private final List<Counter> retries = new ArrayList<>();
    private final List<Counter> skipped = new ArrayList<>();
    private final List<Timer> latency = new ArrayList<>();
    private final List<Timer> attemptTime = new ArrayList<>();
    private final List<DeliveryLoop.Destination> settledInHand = new ArrayList<>();

    public AlertDelivery(Properties kafkaClient, Channel channel, DeliveryRule rule, int maxAttempts, long backoffMs,
                         String groupId, Topics topics, MeterRegistry registry, String softwareVersion, Clock clock) {
        if (channel.destinations().isEmpty()) {
            throw new IllegalArgumentException(channel.name() + ": no destinations");
        }
        this.channel = channel;
        this.rule = rule;
        this.maxAttempts = maxAttempts;
        this.backoffMs = backoffMs;
        this.topics = topics;
        this.groupId = groupId;
        this.softwareVersion = softwareVersion;
        this.clock = clock;
        this.names = List.copyOf(channel.destinations());
        for (String d : names) {
            sent.add(Counter.builder("ich_alert_sent").description("result events accepted by an alert destination")
                    .tag("output", channel.name()).tag("destination", d).register(registry));
            failed.add(Counter.builder("ich_alert_failed")
                    .description("result events given up on after alerts.max-attempts (each has a dead letter)")
                    .tag("output", channel.name()).tag("destination", d).register(registry));
            retries.add(Counter.builder("ich_alert_retries").description("failed attempts followed by a retry")
                    .tag("output", channel.name()).tag("destination", d).register(registry));
            skipped.add(Counter.builder("ich_alert_skipped").description("result events the destination's rule did not select")
                    .tag("output", channel.name()).tag("destination", d).register(registry));
            latency.add(Timer.builder("ich_alert_latency").description("from the result event's created_at to its acceptance")
                    .tag("output", channel.name()).tag("destination", d).register(registry));
            attemptTime.add(Timer.builder("ich_alert_attempt").description("duration of one send attempt, failed or not")
                    .tag("output", channel.name()).tag("destination", d).register(registry));
        }

        long maxPollIntervalMs = maxPollIntervalMs();
        // A new group alerts on what is already on the topic; the rule, not the offset reset, chooses what goes out.
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                DeliveryLoop.consumerSettings(kafkaClient, groupId, maxPollIntervalMs),
                new StringDeserializer(), new ByteArrayDeserializer());
        producer = new KafkaProducer<>(DeliveryLoop.producerSettings(kafkaClient, groupId), new StringSerializer(),
                new ByteArraySerializer());
        loop = new DeliveryLoop("alert output " + channel.name(), "alerts-" + channel.name(), topics.source(), backoffMs,
                consumer, producer, this::deliver, channel::close);
        for (String d : names) {
            DeliveryLoop.Destination settled = loop.destination();
            settledInHand.add(settled);
            Gauge.builder("ich_alert_backlog", settled::backlog)
                    .description("result events not yet settled for this destination (end offset minus committed)")
                    .tag("output", channel.name()).tag("destination", d).register(registry);
        }
    }

    public AlertDelivery start() {
        log.info("alert output {} starting: group {}, {} -> {} ({})", channel.name(), groupId, topics.source(), names, rule);
        loop.start();
        return this;
    }

    public String name() {
        return channel.name();
    }

    /** For readiness: null once the consumer has polled and the thread runs, else why not. */
    public String notReadyReason() {
        return loop.notReadyReason();
    }

    long maxPollIntervalMs() {
        return DeliveryLoop.maxPollIntervalMs(names.size(), maxAttempts, ATTEMPT_MS, backoffMs);
    }

    private void deliver(ConsumerRecord<String, byte[]> r) throws DeliveryLoop.Stopping, DeliveryLoop.PublishFailedException {
        AlertEvent e;
        try {
            e = AlertEvent.parse(r.value());
        } catch (AlertEvent.UnreadableEventException ex) {
            log.warn("{}: record {}-{}@{} is not a result event: {}", channel.name(), r.topic(), r.partition(), r.offset(), ex.getMessage());
            DeliveryLoop.await(List.of(producer.send(new ProducerRecord<>(topics.deadLetter(), r.key(),
                    deadLetter(r, null, DeadLetterReason.UNREADABLE_EVENT.name(), channel.name() + ": not sent to any destination: " + ex.getMessage())))));
            return;
        }
        List<Future<RecordMetadata>> writes = new ArrayList<>();
        DeliveryRule.Decision decision = rule.decide(e);
        if (!decision.send()) {
            for (int i = 0; i < names.size(); i++) {
                skipped.get(i).increment();
                writes.add(status(r, e, i, AlertStatus.Outcome.SKIPPED, 0, decision.reason(), null));
            }
            log.info("{}: event {} not sent: {}", channel.name(), e.eventId(), decision.reason());
            DeliveryLoop.await(writes);
            return;
        }
        for (int i = 0; i < names.size(); i++) {
            String d = names.get(i);
            long delay = backoffMs;
            for (int attempt = 1; ; attempt++) {
                long t0 = System.nanoTime();
                Channel.Result res;
                try {
                    res = channel.send(i, e, r.value());
                } catch (RuntimeException ex) {
                    res = Channel.Result.unreachable("unexpected: " + ex);
                }
                long ms = (System.nanoTime() - t0) / 1_000_000;
                attemptTime.get(i).record(ms, TimeUnit.MILLISECONDS);
                if (res.delivered()) {
                    sent.get(i).increment();
                    recordLatency(i, e);
                    writes.add(status(r, e, i, AlertStatus.Outcome.SENT, attempt, res.detail(), ms));
                    log.info("{}: event {} ({}) accepted by {} on attempt {}: {}", channel.name(), e.eventId(), e.category().wire(), d,
                            attempt, res.detail());
                    break;
                }
                if (attempt >= maxAttempts) {
                    failed.get(i).increment();
                    writes.add(status(r, e, i, AlertStatus.Outcome.FAILED, attempt, res.detail(), ms));
                    String detail = channel.name() + " delivery of event " + e.eventId() + " to " + d + " failed after " + attempt
                            + " attempts: " + res.detail();
                    log.error("{}; dead letter written", detail);
                    writes.add(producer.send(new ProducerRecord<>(topics.deadLetter(), r.key(),
                            deadLetter(r, e, (res.reachable() ? DeadLetterReason.DESTINATION_REFUSED : DeadLetterReason.DESTINATION_UNREACHABLE).name(), detail))));
                    break;
                }
                retries.get(i).increment();
                writes.add(status(r, e, i, AlertStatus.Outcome.RETRY, attempt, res.detail(), ms));
                log.warn("{}: event {} to {} failed (attempt {} of {}): {}; retrying in {} ms", channel.name(), e.eventId(), d,
                        attempt, maxAttempts, res.detail(), delay);
                loop.pause(delay);
                delay = DeliveryLoop.nextBackoff(delay);
            }
            settledInHand.get(i).settled();
        }
        DeliveryLoop.await(writes);
    }

    private void recordLatency(int i, AlertEvent e) {
        if (e.createdAt() == null) {
            return;
        }
        try {
            long ms = Duration.between(Instant.parse(e.createdAt()), clock.instant()).toMillis();
            if (ms >= 0) {
                latency.get(i).record(ms, TimeUnit.MILLISECONDS);
            }
        } catch (DateTimeParseException ignored) {
            // an event without a usable time has no latency
        }
    }

    private Future<RecordMetadata> status(ConsumerRecord<String, byte[]> r, AlertEvent e, int dest, AlertStatus.Outcome outcome,
                                          int attempt, String detail, Long durationMs) {
        AlertStatus s = new AlertStatus(AlertStatus.SCHEMA, e.eventId(), e.seriesInstanceUid(), e.revision(), e.category().wire(),
                channel.name(), names.get(dest), outcome, attempt, maxAttempts, detail, durationMs, clock.instant().toString());
        try {
            return producer.send(new ProducerRecord<>(topics.status(), r.key(), JSON.writeValueAsBytes(s)));
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** A record of schemas/ich-deadletter.v1.schema.json, stage ALERT. */
    private byte[] deadLetter(ConsumerRecord<String, byte[]> r, AlertEvent e, String reason, String detail) {
        ObjectNode n = JSON.createObjectNode();
        n.put("schema", "ich-deadletter.v1");
        n.put("created_at", clock.instant().toString());
        n.put("stage", DeadLetterReason.Stage.ALERT.name());
        n.put("reason", reason);
        n.put("detail", detail);
        String series = e != null && e.seriesInstanceUid() != null ? e.seriesInstanceUid() : r.key();
        if (series != null) {
            n.put("series_instance_uid", series);
        }
        if (e != null) {
            n.put("revision", e.revision());
        }
        n.put("source_topic", r.topic());
        n.putArray("offsets").addObject().put("partition", r.partition()).put("first", r.offset()).put("last", r.offset());
        n.put("software_version", softwareVersion);
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        loop.close();
    }
}
