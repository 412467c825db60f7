package org.ichtriage.forward;

import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import javax.net.ssl.SSLContext;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.ichtriage.dicom.codec.DicomException;
import org.ichtriage.DeliveryLoop;
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
    private static final Duration CONNECT_TIMEOUT = DestinationSender.CONNECT_TIMEOUT;
    private static final Duration RESPONSE_TIMEOUT = DestinationSender.RESPONSE_TIMEOUT;

    /** Where the forwarder reads and writes; tests give their own names to stay apart. */
    public record Topics(String source, String status, String deadLetter) {
        public static Topics defaults() {
            return new Topics(org.ichtriage.Topics.SEG, org.ichtriage.Topics.FORWARDING, org.ichtriage.Topics.DEADLETTER);
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
    private final KafkaProducer<String, byte[]> producer;
    private final DeliveryLoop loop;
    private final Map<String, Counter> sent = new HashMap<>();
    private final Map<String, Counter> failures = new HashMap<>();
    private final Map<String, Counter> retries = new HashMap<>();
    /** Per destination: its share of the backlog gauge, marked once the record in hand is settled for it. */
    private final Map<String, DeliveryLoop.Destination> settledInHand = new HashMap<>();

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
        }

        sender = new DestinationSender(maxAttempts, backoffMs, tls, callingAet, retries);

        // A new group forwards what is already on the topic: nothing a PACS should have is skipped.
        Properties c = DeliveryLoop.consumerSettings(kafkaClient, groupId, maxPollIntervalMs());
        c.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(org.ichtriage.Topics.MAX_MESSAGE_BYTES));
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        Properties p = DeliveryLoop.producerSettings(kafkaClient, groupId);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(org.ichtriage.Topics.MAX_MESSAGE_BYTES));
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        loop = new DeliveryLoop("forwarder", "pacs-forwarder", topics.source(), backoffMs, consumer, producer, this::forward,
                () -> { });
        for (PacsDestination d : destinations) {
            String name = d.toString();
            DeliveryLoop.Destination settled = loop.destination();
            settledInHand.put(name, settled);
            Gauge.builder("ich_forward_backlog", settled::backlog)
                    .description("objects on the source topic not yet settled for this destination (end offset minus committed)")
                    .tag("destination", name).register(registry);
        }
    }

    /** Starts the forwarder for the service: the default group and topics. */
    public static PacsForwarder start(Properties kafkaClient, ForwardSettings forward, String callingAet,
                                      MeterRegistry registry, String softwareVersion) {
        return new PacsForwarder(kafkaClient, forward, callingAet, GROUP_ID, Topics.defaults(), registry, softwareVersion,
                Clock.systemUTC()).start();
    }

    public PacsForwarder start() {
        log.info("PACS forwarder starting: group {}, {} -> {}", groupId, topics.source(), destinations);
        loop.start();
        return this;
    }

    /** For readiness: null once the consumer has polled and the thread runs, else why not. */
    public String notReadyReason() {
        return loop.notReadyReason();
    }

    long maxPollIntervalMs() {
        long perAttempt = CONNECT_TIMEOUT.toMillis() + 3 * RESPONSE_TIMEOUT.toMillis();
        return DeliveryLoop.maxPollIntervalMs(destinations.size(), maxAttempts, perAttempt, backoffMs);
    }

    private void forward(ConsumerRecord<String, byte[]> r) throws DeliveryLoop.Stopping, DeliveryLoop.PublishFailedException {
        String eventId = ForwardObject.header(r, OutputHeaders.EVENT_ID_HEADER);
        String kind = ForwardObject.header(r, OutputHeaders.KIND_HEADER);
        ForwardObject obj;
        try {
            obj = ForwardObject.of(r);
        } catch (DicomException e) {
            log.warn("record {}-{}@{} is not a Part 10 object: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
            DeliveryLoop.await(List.of(producer.send(new ProducerRecord<>(topics.deadLetter(), r.key(),
                    EventJson.toBytes(deadLetter(r, DeadLetterReason.UNREADABLE_OBJECT, "not forwarded to any destination: " + e.getMessage(), null))))));
            return;
        }
        List<Future<RecordMetadata>> writes = new ArrayList<>();
        for (PacsDestination d : destinations) {
            DestinationSender.Delivery delivery = sender.send(d, obj, kind, loop::pause);
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
            settledInHand.get(d.toString()).settled();
        }
        DeliveryLoop.await(writes);
    }

    private DeadLetter deadLetter(ConsumerRecord<String, byte[]> r, DeadLetterReason reason, String detail, String sop) {
        return deadLetters.ofRecord(reason, detail, r.key(), null, sop == null ? null : List.of(sop), r.topic(),
                r.partition(), r.offset());
    }

    @Override
    public void close() {
        loop.close();
    }
}
