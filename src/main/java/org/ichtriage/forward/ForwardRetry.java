package org.ichtriage.forward;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.ichtriage.DeliveryLoop;
import org.ichtriage.config.ForwardSettings;
import org.ichtriage.config.PacsDestination;
import org.ichtriage.dicom.codec.DicomException;
import org.ichtriage.events.DeadLetter;
import org.ichtriage.events.DeadLetterReason;
import org.ichtriage.events.EventJson;
import org.ichtriage.events.ForwardingStatus;
import org.ichtriage.events.OutputHeaders;

/**
 * Re-delivers what the PACS forwarder gave up on. An object is owed to a destination when the last
 * word about the pair (SOP Instance UID, destination) is a failure: a FAILED record on the status
 * topic, or a forwarding dead letter naming the destination, with no SENT at or after it. The object
 * itself is read on the source topic at the offset its dead letter gives, else found there by its SOP
 * Instance UID, and sent with the forwarder's sender;
 * each attempt's outcome is written to the status topic as the forwarder writes it, so a second run
 * does not send again what the first delivered. Reads without a consumer group: an on-call tool
 * never moves the forwarder's offsets.
 */
public final class ForwardRetry {
    /** A read that brings no record for this long has stalled (the broker went away), however long the topic. */
    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(60);

    /** Which owed objects to consider; a null field does not narrow. */
    public record Filter(String seriesInstanceUid, String destination) {
        public static Filter all() {
            return new Filter(null, null);
        }

        boolean admits(String series, String dest) {
            return (seriesInstanceUid == null || seriesInstanceUid.equals(series))
                    && (destination == null || destination.equals(dest));
        }
    }

    /** Where on the source topic an object was, as a dead letter names it. */
    public record SourceRecord(int partition, long offset) {}

    /**
     * One object a destination has not stored, and the record that says so.
     *
     * @param source where the object is on the source topic, null when no dead letter named it
     */
    public record Owed(String seriesInstanceUid, String sopInstanceUid, String destination, String evidence, Instant since,
                       SourceRecord source) {
        Owed withSource(SourceRecord s) {
            return new Owed(seriesInstanceUid, sopInstanceUid, destination, evidence, since, s);
        }
    }

    /** Why an owed object cannot be sent by this run. */
    public enum Obstacle {
        /** The source topic no longer holds it (retention) or never did. */
        NOT_ON_SOURCE_TOPIC,
        /** The destination was removed from forward.destinations since the failure. */
        DESTINATION_NOT_CONFIGURED
    }

    /** An owed object with what a send needs, or the obstacle that prevents it. */
    public record Planned(Owed owed, String kind, String eventId, Obstacle obstacle) {
        public String describe() {
            String what = (kind == null ? "object" : kind) + " " + owed.sopInstanceUid() + " of series " + owed.seriesInstanceUid()
                    + " to " + owed.destination() + " (" + owed.evidence() + " at " + owed.since() + ")";
            return obstacle == null ? what : what + ": cannot send, " + obstacle.name().toLowerCase().replace('_', ' ');
        }
    }

    /** What a send of one planned object gave. */
    public record Outcome(Planned planned, ForwardingStatus.Status status, int attempts, String lastAnswer) {
        public String describe() {
            return status + " " + planned.describe() + ": " + lastAnswer + " after " + attempts + " attempt" + (attempts == 1 ? "" : "s");
        }
    }

    private final Properties kafkaClient;
    private final List<PacsDestination> destinations;
    private final PacsForwarder.Topics topics;
    private final Clock clock;
    private final DestinationSender sender;

    public ForwardRetry(Properties kafkaClient, ForwardSettings forward, String callingAet, PacsForwarder.Topics topics, Clock clock) {
        this.kafkaClient = kafkaClient;
        this.destinations = List.copyOf(forward.destinations());
        this.topics = topics;
        this.clock = clock;
        javax.net.ssl.SSLContext tls;
        try {
            tls = forward.tls() ? javax.net.ssl.SSLContext.getDefault() : null;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("forward.tls: no default TLS context in this JVM: " + e.getMessage(), e);
        }
        // The service's retry counter lives in the service; a one-off run counts into a registry nobody scrapes.
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Map<String, Counter> retries = new HashMap<>();
        for (PacsDestination d : destinations) {
            retries.put(d.toString(), registry.counter("ich_forward_retries", "destination", d.toString()));
        }
        this.sender = new DestinationSender(forward.maxAttempts(), forward.backoffMs(), tls, callingAet, retries);
    }

    /** A configured destination named by AE@host:port or by its AE title alone, else null. */
    public PacsDestination destination(String name) {
        List<PacsDestination> matches = destinations.stream()
                .filter(d -> d.toString().equals(name) || d.aeTitle().equals(name)).toList();
        return matches.size() == 1 ? matches.get(0) : null;
    }

    /** Each object owed to a destination, oldest failure first, with what sending it needs. */
    public List<Planned> plan(Filter filter) {
        List<Owed> owed = owed(filter);
        Map<String, ConsumerRecord<String, byte[]>> found = findOnSource(owed);
        List<Planned> plan = new ArrayList<>();
        for (Owed o : owed) {
            ConsumerRecord<String, byte[]> r = found.get(o.sopInstanceUid());
            Obstacle obstacle = r == null ? Obstacle.NOT_ON_SOURCE_TOPIC
                    : destinations.stream().noneMatch(d -> d.toString().equals(o.destination())) ? Obstacle.DESTINATION_NOT_CONFIGURED : null;
            plan.add(new Planned(o, r == null ? null : ForwardObject.header(r, OutputHeaders.KIND_HEADER),
                    r == null ? null : ForwardObject.header(r, OutputHeaders.EVENT_ID_HEADER), obstacle));
        }
        return plan;
    }

    /**
     * Sends every planned object without an obstacle, with the forwarder's attempts and back-off, and
     * writes each outcome to the status topic.
     */
    public List<Outcome> deliver(List<Planned> plan, Consumer<Outcome> progress) {
        List<Planned> sendable = plan.stream().filter(p -> p.obstacle() == null).toList();
        Map<String, ConsumerRecord<String, byte[]>> found = findOnSource(sendable.stream().map(Planned::owed).toList());
        List<Outcome> outcomes = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (Planned p : sendable) {
                ConsumerRecord<String, byte[]> r = found.get(p.owed().sopInstanceUid());
                if (r == null) {
                    // Gone between plan and delivery (retention ran): report it as the plan would have.
                    continue;
                }
                ForwardObject obj;
                try {
                    obj = ForwardObject.of(r);
                } catch (DicomException e) {
                    throw new IllegalStateException("record " + r.topic() + "-" + r.partition() + "@" + r.offset()
                            + " matched by its SOP Instance UID header is not a Part 10 object: " + e.getMessage(), e);
                }
                PacsDestination d = destination(p.owed().destination());
                DestinationSender.Delivery delivery;
                try {
                    delivery = sender.send(d, obj, p.kind(), ForwardRetry::sleep);
                } catch (DeliveryLoop.Stopping e) {
                    break;
                }
                DestinationSender.Attempt last = delivery.last();
                ForwardingStatus.Status status = last.stored() ? ForwardingStatus.Status.SENT : ForwardingStatus.Status.FAILED;
                ForwardingStatus fs = new ForwardingStatus(ForwardingStatus.SCHEMA, p.eventId() == null ? "" : p.eventId(),
                        r.key() == null ? "" : r.key(), obj.sopInstanceUid(), p.kind() == null ? "" : p.kind(), d.toString(), status,
                        delivery.attempts(), last.status() == null ? null : ForwardingStatus.hex(last.status().code()),
                        clock.instant().toString());
                try {
                    producer.send(new ProducerRecord<>(topics.status(), r.key(), EventJson.toBytes(fs))).get(30, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    throw new IllegalStateException("the " + status + " status of " + obj.sopInstanceUid() + " could not be written to "
                            + topics.status() + ": " + (e.getCause() != null ? e.getCause() : e), e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                Outcome o = new Outcome(p, status, delivery.attempts(), last.describe());
                outcomes.add(o);
                progress.accept(o);
            }
        }
        return outcomes;
    }

    private static void sleep(long ms) throws DeliveryLoop.Stopping {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryLoop.Stopping();
        }
    }

    /** The last word about each (object, destination) pair: a failure makes it owed, a SENT settles it. */
    List<Owed> owed(Filter filter) {
        record Pair(String sop, String destination) {}
        record Word(boolean sent, Owed owed) {}
        Map<Pair, Word> last = new LinkedHashMap<>();
        Consumer<Word> hear = w -> last.merge(new Pair(w.owed().sopInstanceUid(), w.owed().destination()), w, (old, neu) -> {
            // Later wins; at the same instant SENT wins, as a store cannot be undone by a failure report.
            boolean newer = neu.owed().since().isAfter(old.owed().since())
                    || (neu.sent() && !neu.owed().since().isBefore(old.owed().since()));
            Word pick = newer ? neu : old;
            Word other = newer ? old : neu;
            // The object's place on the source topic outlives the word that named it (a later FAILED status names none).
            return pick.owed().source() == null && other.owed().source() != null
                    ? new Word(pick.sent(), pick.owed().withSource(other.owed().source())) : pick;
        });
        readAll(topics.status(), r -> {
            ForwardingStatus s = parse(r, ForwardingStatus.class);
            if (s == null || s.sopInstanceUid() == null || s.destination() == null || s.at() == null) {
                return;
            }
            String evidence = s.status() == ForwardingStatus.Status.SENT ? "SENT"
                    : "status FAILED after " + s.attempts() + " attempts" + (s.dicomStatus() == null ? "" : ", DIMSE " + s.dicomStatus());
            hear.accept(new Word(s.status() == ForwardingStatus.Status.SENT,
                    new Owed(s.seriesInstanceUid(), s.sopInstanceUid(), s.destination(), evidence, Instant.parse(s.at()), null)));
        });
        readAll(topics.deadLetter(), r -> {
            DeadLetter dl = parse(r, DeadLetter.class);
            // A dead letter written before it named its destination is covered by the FAILED status written beside it.
            if (dl == null || !DeadLetterReason.Stage.FORWARD.name().equals(dl.stage()) || dl.destination() == null || dl.sopInstanceUids() == null) {
                return;
            }
            SourceRecord at = topics.source().equals(dl.sourceTopic()) && dl.offsets() != null && dl.offsets().size() == 1
                    ? new SourceRecord(dl.offsets().get(0).partition(), dl.offsets().get(0).first()) : null;
            for (String sop : dl.sopInstanceUids()) {
                hear.accept(new Word(false, new Owed(dl.seriesInstanceUid(), sop, dl.destination(), "dead letter " + dl.reason(),
                        Instant.parse(dl.createdAt()), at)));
            }
        });
        return last.values().stream().filter(w -> !w.sent()).map(Word::owed)
                .filter(o -> filter.admits(o.seriesInstanceUid(), o.destination()))
                .sorted(Comparator.comparing(Owed::since)).toList();
    }

    /** A record that is not the event it should be says nothing about delivery; the events command shows it. */
    private static <T> T parse(ConsumerRecord<String, byte[]> r, Class<T> type) {
        if (r.value() == null) {
            return null;
        }
        try {
            return EventJson.fromBytes(r.value(), type);
        } catch (java.io.UncheckedIOException e) {
            return null;
        }
    }

    /**
     * The record on the source topic of each owed object: read at the offset a dead letter gave, and
     * only for objects without one (or not found there) by reading the whole topic.
     */
    private Map<String, ConsumerRecord<String, byte[]>> findOnSource(List<Owed> owed) {
        Map<String, ConsumerRecord<String, byte[]>> found = new HashMap<>();
        Map<SourceRecord, String> located = new HashMap<>();
        owed.stream().filter(o -> o.source() != null).forEach(o -> located.put(o.source(), o.sopInstanceUid()));
        if (!located.isEmpty()) {
            try (KafkaConsumer<String, byte[]> c = consumer()) {
                for (Map.Entry<SourceRecord, String> e : located.entrySet()) {
                    ConsumerRecord<String, byte[]> r = readAt(c, e.getKey());
                    if (r != null && e.getValue().equals(sopOf(r))) {
                        found.put(e.getValue(), r);
                    }
                }
            }
        }
        Set<String> rest = owed.stream().map(Owed::sopInstanceUid).filter(sop -> !found.containsKey(sop))
                .collect(Collectors.toSet());
        if (!rest.isEmpty()) {
            readAll(topics.source(), r -> {
                String sop = sopOf(r);
                if (sop != null && rest.contains(sop)) {
                    found.put(sop, r);
                }
            });
        }
        return found;
    }

    /** The record at one offset, or null when the topic no longer holds it. */
    private ConsumerRecord<String, byte[]> readAt(KafkaConsumer<String, byte[]> c, SourceRecord at) {
        TopicPartition tp = new TopicPartition(topics.source(), at.partition());
        c.assign(List.of(tp));
        c.seek(tp, at.offset());
        long stalledAt = System.currentTimeMillis() + STALL_TIMEOUT.toMillis();
        long end = c.endOffsets(List.of(tp), Duration.ofSeconds(10)).get(tp);
        while (c.position(tp) <= at.offset() && c.position(tp) < end) {
            for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                if (r.offset() == at.offset()) {
                    return r;
                }
                stalledAt = System.currentTimeMillis() + STALL_TIMEOUT.toMillis();
            }
            if (System.currentTimeMillis() > stalledAt) {
                throw new IllegalStateException(tp + " gave no record for " + STALL_TIMEOUT.toSeconds() + " s");
            }
        }
        return null;
    }

    /** The SOP Instance UID a source record carries: its header, or for an older record its Part 10 meta. */
    private static String sopOf(ConsumerRecord<String, byte[]> r) {
        String sop = ForwardObject.header(r, OutputHeaders.SOP_INSTANCE_UID_HEADER);
        if (sop == null && r.value() != null) {
            try {
                sop = ForwardObject.read(r.value()).sopInstanceUid();
            } catch (DicomException e) {
                return null;
            }
        }
        return sop;
    }

    /** Every committed record of a topic, from the beginning to its end as of the call. */
    private void readAll(String topic, Consumer<ConsumerRecord<String, byte[]>> each) {
        try (KafkaConsumer<String, byte[]> c = consumer()) {
            List<TopicPartition> parts = new ArrayList<>();
            c.partitionsFor(topic, Duration.ofSeconds(10)).forEach(i -> parts.add(new TopicPartition(i.topic(), i.partition())));
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(10));
            long stalledAt = System.currentTimeMillis() + STALL_TIMEOUT.toMillis();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                var records = c.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) {
                    stalledAt = System.currentTimeMillis() + STALL_TIMEOUT.toMillis();
                } else if (System.currentTimeMillis() > stalledAt) {
                    throw new IllegalStateException(topic + " gave no record for " + STALL_TIMEOUT.toSeconds() + " s before its end");
                }
                for (ConsumerRecord<String, byte[]> r : records) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        each.accept(r);
                    }
                }
            }
        }
    }

    /** Reads committed records without a consumer group. */
    private KafkaConsumer<String, byte[]> consumer() {
        Properties p = new Properties();
        p.putAll(kafkaClient);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(org.ichtriage.Topics.MAX_MESSAGE_BYTES));
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(org.ichtriage.Topics.MAX_MESSAGE_BYTES));
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private KafkaProducer<String, byte[]> producer() {
        Properties p = new Properties();
        p.putAll(kafkaClient);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }
}
