package org.ichtriage.forward;


import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

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
import org.ichtriage.dicom.codec.DicomException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.ichtriage.events.DeadLetter;
import org.ichtriage.events.DeadLetterReason;
import org.ichtriage.events.DeadLetters;
import org.ichtriage.events.EventJson;
import org.ichtriage.events.ForwardingStatus;
import org.ichtriage.events.OutputHeaders;
import org.ichtriage.config.ForwardSettings;
import org.ichtriage.config.PacsDestination;

/**
 * Sends every object on ich.seg.v1 to each configured PACS by C-STORE, in its own consumer group
 * and thread. Delivery is at least once: a record's offset is committed only when every destination
 * answered a stored status (0000, 0001 or Bxxx) or its dead letter was written, so a crash or a
 * rebalance re-sends, and PACS treat a repeated SOP Instance UID as the same object.
 */
public final class PacsForwarder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PacsForwarder.class);

    public static final String GROUP_ID = "ich-triage-forwarder";
    /** One retry delay never exceeds this, however many attempts are configured. */
    static final long MAX_BACKOFF_MS = 5 * 60_000L;
    private static final Duration CONNECT_TIMEOUT = DestinationSender.CONNECT_TIMEOUT;
    private static final Duration RESPONSE_TIMEOUT = DestinationSender.RESPONSE_TIMEOUT;
    private static final long BACKLOG_REFRESH_MS = 1000;

    /** Where the forwarder reads and writes; tests give their own names to stay apart. */
    public record Topics(String source, String status, String deadLetter) {
        public static Topics defaults() {
            return new Topics(org.ichtriage.Topics.SEG, org.ichtriage.Topics.FORWARDING, org.ichtriage.Topics.DEADLETTER);
        }
    }

    /** Thrown when the forwarder is stopping in the middle of a record: that record stays uncommitted. */
    static final class Stopping extends Exception {
        Stopping() {
            super(null, null, false, false);
        }
    }

    /** A status or dead-letter write that failed: the record is read again rather than committed. */
    private static final class PublishFailedException extends Exception {
        PublishFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final List<PacsDestination> destinations;
    private final int maxAttempts;
    private final long backoffMs;
    private final SSLContext tls;
    private final String callingAet;
    private final Topics topics;
    private final String groupId;
    private final String softwareVersion;
    private final Clock clock;
    private final DeadLetters deadLetters;
    private final DestinationSender sender;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final Thread thread;
    private final Map<String, Counter> sent = new HashMap<>();
    private final Map<String, Counter> failures = new HashMap<>();
    private final Map<String, Counter> retries = new HashMap<>();
    /** Objects not yet settled, over all assigned partitions; written by the forwarder thread, read by scrapes. */
    private final AtomicLong backlog = new AtomicLong();
    /** Per destination: 1 while the record in hand is already settled for it, so its backlog is one less. */
    private final Map<String, AtomicLong> settledInHand = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    private long backlogRefreshedAt;
    private volatile boolean running = true;
    private volatile boolean joined;
    private volatile String failure;

    /**
     * @param kafkaClient bootstrap servers and security settings shared by all clients of the process
     * @param callingAet  our AE title in the associations we open
     */
    public PacsForwarder(Properties kafkaClient, ForwardSettings forward, String callingAet, String groupId, Topics topics,
                         MeterRegistry registry, String softwareVersion, Clock clock) {
        if (forward.destinations().isEmpty()) {
            throw new IllegalArgumentException("forward.destinations is empty: there is nothing to forward to");
        }
        this.destinations = List.copyOf(forward.destinations());
        this.maxAttempts = forward.maxAttempts();
        this.backoffMs = forward.backoffMs();
        this.callingAet = callingAet;
        this.topics = topics;
        this.groupId = groupId;
        this.softwareVersion = softwareVersion;
        this.clock = clock;
        this.deadLetters = new DeadLetters(clock::instant, softwareVersion);
        try {
            // The JSSE defaults honour javax.net.ssl.trustStore, as documented for forward.tls.
            this.tls = forward.tls() ? SSLContext.getDefault() : null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("forward.tls: no default TLS context in this JVM: " + e.getMessage(), e);
        }
        for (PacsDestination d : destinations) {
            String name = d.toString();
            sent.put(name, Counter.builder("ich_forward_sent").description("objects stored by a PACS destination")
                    .tag("destination", name).register(registry));
            failures.put(name, Counter.builder("ich_forward_failures")
                    .description("objects given up on after forward.max-attempts (each has a dead letter)")
                    .tag("destination", name).register(registry));
            retries.put(name, Counter.builder("ich_forward_retries")
                    .description("failed C-STORE attempts followed by a retry").tag("destination", name).register(registry));
            AtomicLong settled = new AtomicLong();
            settledInHand.put(name, settled);
            Gauge.builder("ich_forward_backlog", () -> Math.max(0, backlog.get() - settled.get()))
                    .description("objects on the source topic not yet settled for this destination (end offset minus committed)")
                    .tag("destination", name).register(registry);
        }

        sender = new DestinationSender(maxAttempts, backoffMs, tls, callingAet, retries);

        Properties c = new Properties();
        c.putAll(kafkaClient);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // A new group forwards what is already on the topic: nothing a PACS should have is skipped.
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(org.ichtriage.Topics.MAX_MESSAGE_BYTES));
        c.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(org.ichtriage.Topics.MAX_MESSAGE_BYTES));
        // One record at a time, with a poll interval that covers every attempt and back-off of that record,
        // so that a slow PACS does not get the forwarder thrown out of its group mid-record.
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
        c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Long.toString(maxPollIntervalMs()));
        // The coordinator connection must outlive the longest record, or a rebalance can find it closed.
        c.put(ConsumerConfig.CONNECTIONS_MAX_IDLE_MS_CONFIG, Long.toString(maxPollIntervalMs() + 60_000));
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId + "-consumer");
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());

        Properties p = new Properties();
        p.putAll(kafkaClient);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(org.ichtriage.Topics.MAX_MESSAGE_BYTES));
        p.put(ProducerConfig.CLIENT_ID_CONFIG, groupId + "-producer");
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());

        thread = new Thread(this::run, "pacs-forwarder");
        thread.setDaemon(true);
    }

    /** Starts the forwarder for the service: the default group and topics. */
    public static PacsForwarder start(Properties kafkaClient, ForwardSettings forward, String callingAet,
                                      MeterRegistry registry, String softwareVersion) {
        return new PacsForwarder(kafkaClient, forward, callingAet, GROUP_ID, Topics.defaults(), registry, softwareVersion,
                Clock.systemUTC()).start();
    }

    public PacsForwarder start() {
        log.info("PACS forwarder starting: group {}, {} -> {}", groupId, topics.source(), destinations);
        thread.start();
        return this;
    }

    /** For readiness: null once the consumer has polled and the thread runs, else why not. */
    public String notReadyReason() {
        if (failure != null) {
            return "forwarder stopped: " + failure;
        }
        if (!thread.isAlive()) {
            return "forwarder not running";
        }
        return joined ? null : "forwarder joining consumer group";
    }

    long maxPollIntervalMs() {
        long perAttempt = CONNECT_TIMEOUT.toMillis() + 3 * RESPONSE_TIMEOUT.toMillis();
        long backoffs = 0;
        long delay = backoffMs;
        for (int i = 1; i < maxAttempts; i++) {
            backoffs += delay;
            delay = Math.min(delay * 2, MAX_BACKOFF_MS);
        }
        long perRecord = destinations.size() * (maxAttempts * perAttempt + backoffs) + 60_000;
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
                        forward(r);
                    } catch (PublishFailedException e) {
                        log.warn("record {}-{}@{} will be forwarded again: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
                        consumer.seek(tp, r.offset());
                        pause(backoffMs);
                        break;
                    } catch (Stopping | WakeupException | InterruptException e) {
                        throw e;
                    } catch (RuntimeException e) {
                        // A bug on one record must not end forwarding for good: keep the record (uncommitted),
                        // retry it after the backoff, and let the backlog metric and the log show the problem.
                        log.error("unexpected failure forwarding {}-{}@{}; it will be retried", r.topic(), r.partition(), r.offset(), e);
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
            // close() asked us to stop; the record in hand stays uncommitted and is forwarded again later
        } catch (RuntimeException e) {
            failure = e.toString();
            log.error("PACS forwarder stopped", e);
        } finally {
            // A stop request may have left the interrupt flag set; the clients would refuse to close cleanly.
            Thread.interrupted();
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                log.debug("closing the forwarder consumer: {}", e.toString());
            }
            try {
                producer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                log.debug("closing the forwarder producer: {}", e.toString());
            }
        }
    }

    private void rememberCommitted(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> known = consumer.committed(new java.util.HashSet<>(partitions), Duration.ofSeconds(10));
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
            // Lost the partition in a rebalance, or the broker timed out: the new owner, or our next
            // commit of a later offset, covers this record. At worst it is sent once more.
            log.warn("commit of {}@{} failed: {}", tp, next, e.toString());
        } finally {
            settledInHand.values().forEach(a -> a.set(0));
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
            for (var e : end.entrySet()) {
                total += Math.max(0, e.getValue() - committed.getOrDefault(e.getKey(), e.getValue()));
            }
            backlog.set(total);
        } catch (WakeupException | InterruptException e) {
            throw e;
        } catch (KafkaException e) {
            log.debug("backlog not refreshed: {}", e.toString());
        }
    }

    private void forward(ConsumerRecord<String, byte[]> r) throws Stopping, PublishFailedException {
        String eventId = ForwardObject.header(r, OutputHeaders.EVENT_ID_HEADER);
        String kind = ForwardObject.header(r, OutputHeaders.KIND_HEADER);
        ForwardObject obj;
        try {
            obj = ForwardObject.of(r);
        } catch (DicomException e) {
            log.warn("record {}-{}@{} is not a Part 10 object: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
            await(List.of(producer.send(new ProducerRecord<>(topics.deadLetter(), r.key(),
                    EventJson.toBytes(deadLetter(r, DeadLetterReason.UNREADABLE_OBJECT, "not forwarded to any destination: " + e.getMessage(), null))))));
            return;
        }
        List<Future<RecordMetadata>> writes = new ArrayList<>();
        for (PacsDestination d : destinations) {
            DestinationSender.Delivery delivery = sender.send(d, obj, kind, this::pause);
            DestinationSender.Attempt last = delivery.last();
            int attempts = delivery.attempts();
            ForwardingStatus.Status status = last.stored() ? ForwardingStatus.Status.SENT : ForwardingStatus.Status.FAILED;
            ForwardingStatus fs = new ForwardingStatus(ForwardingStatus.SCHEMA, eventId == null ? "" : eventId,
                    r.key() == null ? "" : r.key(), obj.sopInstanceUid(), kind == null ? "" : kind, d.toString(), status,
                    attempts, last.status() == null ? null : ForwardingStatus.hex(last.status().code()), clock.instant().toString());
            writes.add(producer.send(new ProducerRecord<>(topics.status(), r.key(), EventJson.toBytes(fs))));
            if (last.stored()) {
                sent.get(d.toString()).increment();
                log.info("{} {} stored by {} ({}, attempt {})", kind, obj.sopInstanceUid(), d, last.describe(), attempts);
            } else {
                failures.get(d.toString()).increment();
                DeadLetterReason reason = last.status() == null ? DeadLetterReason.DESTINATION_UNREACHABLE
                        : DeadLetterReason.DESTINATION_REFUSED;
                String detail = "C-STORE of " + kind + " " + obj.sopInstanceUid() + " to " + d + " failed after " + attempts
                        + " attempts: " + last.describe();
                log.error("{}; dead letter written", detail);
                writes.add(producer.send(new ProducerRecord<>(topics.deadLetter(), r.key(),
                        EventJson.toBytes(deadLetters.ofForwarding(reason, detail, r.key(), List.of(obj.sopInstanceUid()), r.topic(),
                                r.partition(), r.offset(), d.toString())))));
            }
            settledInHand.get(d.toString()).set(1);
        }
        await(writes);
    }

    private DeadLetter deadLetter(ConsumerRecord<String, byte[]> r, DeadLetterReason reason, String detail, String sop) {
        return deadLetters.ofRecord(reason, detail, r.key(), null, sop == null ? null : List.of(sop), r.topic(),
                r.partition(), r.offset());
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

    /** Sleeps in short steps so that close() is quick and the backlog gauge stays current during long retries. */
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
        if (!thread.isAlive() && running && thread.getState() == Thread.State.NEW) {
            running = false;
            consumer.close(Duration.ZERO);
            producer.close(Duration.ZERO);
            return;
        }
        running = false;
        consumer.wakeup();
        try {
            // Back-off pauses notice the flag within 200 ms; only a hung status write needs an interrupt.
            thread.join(TimeUnit.SECONDS.toMillis(10));
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(TimeUnit.SECONDS.toMillis(20));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("PACS forwarder thread did not stop within 30 s");
        }
    }
}
