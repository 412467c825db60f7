package org.ichtriage.alerts;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.ichtriage.events.DeadLetterReason;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
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
    static final long MAX_BACKOFF_MS = 5 * 60_000L;
    /** Longest one attempt can take: connect plus answer timeouts of every channel. */
    static final long ATTEMPT_MS = 45_000;
    private static final long BACKLOG_REFRESH_MS = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where the delivery reads and writes; tests give their own names. */
    public record Topics(String source, String status, String deadLetter) {
        public static Topics defaults() {
            return new Topics(org.ichtriage.Topics.RESULTS, STATUS_TOPIC, org.ichtriage.Topics.DEADLETTER);
        }
    }

    private static final class Stopping extends Exception {
        Stopping() {
            super(null, null, false, false);
        }
    }

    private static final class PublishFailedException extends Exception {
        PublishFailedException(String message, Throwable cause) {
            super(message, cause);
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
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final Thread thread;
    private final List<String> names;
    private final List<Counter> sent = new ArrayList<>();
    private final List<Counter> failed = new ArrayList<>();
    private final List<Counter> retries = new ArrayList<>();
    private final List<Counter> skipped = new ArrayList<>();
    private final List<Timer> latency = new ArrayList<>();
    private final List<Timer> attemptTime = new ArrayList<>();
    private final List<AtomicLong> settledInHand = new ArrayList<>();
    private final AtomicLong backlog = new AtomicLong();
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    private long backlogRefreshedAt;
    private volatile boolean running = true;
    private volatile boolean joined;
    private volatile String failure;

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
            AtomicLong settled = new AtomicLong();
            settledInHand.add(settled);
            Gauge.builder("ich_alert_backlog", () -> Math.max(0, backlog.get() - settled.get()))
                    .description("result events not yet settled for this destination (end offset minus committed)")
                    .tag("output", channel.name()).tag("destination", d).register(registry);
        }

        Properties c = new Properties();
        c.putAll(kafkaClient);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // A new group alerts on what is already on the topic; the rule, not the offset reset, chooses what goes out.
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(org.ichtriage.Topics.MAX_MESSAGE_BYTES));
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
        c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Long.toString(maxPollIntervalMs()));
        c.put(ConsumerConfig.CONNECTIONS_MAX_IDLE_MS_CONFIG, Long.toString(maxPollIntervalMs() + 60_000));
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId + "-consumer");
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());

        Properties p = new Properties();
        p.putAll(kafkaClient);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, groupId + "-producer");
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());

        thread = new Thread(this::run, "alerts-" + channel.name());
        thread.setDaemon(true);
    }

    public AlertDelivery start() {
        log.info("alert output {} starting: group {}, {} -> {} ({})", channel.name(), groupId, topics.source(), names, rule);
        thread.start();
        return this;
    }

    public String name() {
        return channel.name();
    }

    /** For readiness: null once the consumer has polled and the thread runs, else why not. */
    public String notReadyReason() {
        if (failure != null) {
            return "alert output " + channel.name() + " stopped: " + failure;
        }
        if (!thread.isAlive()) {
            return "alert output " + channel.name() + " not running";
        }
        return joined ? null : "alert output " + channel.name() + " joining consumer group";
    }

    long maxPollIntervalMs() {
        long backoffs = 0;
        long delay = backoffMs;
        for (int i = 1; i < maxAttempts; i++) {
            backoffs += delay;
            delay = Math.min(delay * 2, MAX_BACKOFF_MS);
        }
        long perRecord = (long) names.size() * (maxAttempts * ATTEMPT_MS + backoffs) + 60_000;
        return Math.min(Integer.MAX_VALUE, Math.max(300_000, perRecord));
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topics.source()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    partitions.forEach(committed::remove);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    rememberCommitted(partitions);
                }
            });
            while (running) {
                var records = consumer.poll(Duration.ofMillis(500));
                joined = true;
                for (ConsumerRecord<String, byte[]> r : records) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    try {
                        deliver(r);
                    } catch (PublishFailedException e) {
                        log.warn("{}: record {}-{}@{} will be read again: {}", channel.name(), r.topic(), r.partition(), r.offset(),
                                e.getMessage());
                        consumer.seek(tp, r.offset());
                        pause(backoffMs);
                        break;
                    } catch (Stopping | WakeupException | InterruptException e) {
                        throw e;
                    } catch (RuntimeException e) {
                        log.error("{}: unexpected failure on {}-{}@{}; it will be retried", channel.name(), r.topic(), r.partition(),
                                r.offset(), e);
                        consumer.seek(tp, r.offset());
                        pause(backoffMs);
                        break;
                    }
                    commit(tp, r.offset() + 1);
                }
                org.ichtriage.ConsumerBacklog.settleSkippedMarkers(consumer, committed);
                refreshBacklog(false);
            }
        } catch (Stopping | WakeupException | InterruptException e) {
            // close() asked us to stop; the record in hand stays uncommitted and is sent again later
        } catch (RuntimeException e) {
            failure = e.toString();
            log.error("alert output {} stopped", channel.name(), e);
        } finally {
            Thread.interrupted();
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                log.debug("closing the alerts consumer: {}", e.toString());
            }
            try {
                producer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                log.debug("closing the alerts producer: {}", e.toString());
            }
            channel.close();
        }
    }

    private void deliver(ConsumerRecord<String, byte[]> r) throws Stopping, PublishFailedException {
        AlertEvent e;
        try {
            e = AlertEvent.parse(r.value());
        } catch (AlertEvent.UnreadableEventException ex) {
            log.warn("{}: record {}-{}@{} is not a result event: {}", channel.name(), r.topic(), r.partition(), r.offset(), ex.getMessage());
            await(List.of(producer.send(new ProducerRecord<>(topics.deadLetter(), r.key(),
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
            await(writes);
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
                pause(delay);
                delay = Math.min(delay * 2, MAX_BACKOFF_MS);
            }
            settledInHand.get(i).set(1);
        }
        await(writes);
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

    private void rememberCommitted(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> known = consumer.committed(new HashSet<>(partitions), Duration.ofSeconds(10));
        List<TopicPartition> fresh = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata om = known.get(tp);
            if (om != null) {
                committed.put(tp, om.offset());
            } else {
                fresh.add(tp);
            }
        }
        if (!fresh.isEmpty()) {
            consumer.beginningOffsets(fresh, Duration.ofSeconds(10)).forEach(committed::put);
        }
        backlogRefreshedAt = 0;
    }

    private void commit(TopicPartition tp, long next) {
        try {
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(next)), Duration.ofSeconds(30));
            committed.put(tp, next);
        } catch (WakeupException | InterruptException e) {
            throw e;
        } catch (KafkaException e) {
            // Lost the partition, or the broker timed out: the event is sent once more at worst,
            // and receivers drop it by its event id.
            log.warn("{}: commit of {}@{} failed: {}", channel.name(), tp, next, e.toString());
        } finally {
            settledInHand.forEach(a -> a.set(0));
        }
    }

    private void refreshBacklog(boolean force) {
        long now = System.currentTimeMillis();
        if (!force && now - backlogRefreshedAt < BACKLOG_REFRESH_MS) {
            return;
        }
        backlogRefreshedAt = now;
        if (committed.isEmpty()) {
            backlog.set(0);
            return;
        }
        try {
            Map<TopicPartition, Long> end = consumer.endOffsets(committed.keySet(), Duration.ofSeconds(5));
            long total = 0;
            for (var en : end.entrySet()) {
                total += Math.max(0, en.getValue() - committed.getOrDefault(en.getKey(), en.getValue()));
            }
            backlog.set(total);
        } catch (WakeupException | InterruptException e) {
            throw e;
        } catch (KafkaException e) {
            log.debug("backlog not refreshed: {}", e.toString());
        }
    }

    private void await(List<Future<RecordMetadata>> writes) throws PublishFailedException, Stopping {
        try {
            for (Future<RecordMetadata> f : writes) {
                f.get(60, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new PublishFailedException("status or dead-letter write failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stopping();
        }
    }

    private void pause(long ms) throws Stopping {
        long until = System.currentTimeMillis() + ms;
        try {
            while (running) {
                long left = until - System.currentTimeMillis();
                if (left <= 0) {
                    return;
                }
                Thread.sleep(Math.min(left, 200));
                refreshBacklog(false);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new Stopping();
    }

    @Override
    public void close() {
        if (thread.getState() == Thread.State.NEW) {
            running = false;
            consumer.close(Duration.ZERO);
            producer.close(Duration.ZERO);
            channel.close();
            return;
        }
        running = false;
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(TimeUnit.SECONDS.toMillis(20));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("alert output {} thread did not stop within 30 s", channel.name());
        }
    }
}
