package org.ichtriage;

import java.time.Duration;
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

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consume-deliver-commit loop of the PACS forwarder and of each alert output, on its own thread.
 * At least once: a record's offset is committed only after its {@link RecordDelivery} returned, so a
 * crash, a stop or a rebalance in the middle of a record delivers it again. A record whose status or
 * dead-letter writes failed, or whose delivery threw unexpectedly, is read again after the retry
 * back-off: one bad record must not end delivery for good. It sits at the root because the alert
 * outputs are below the kafka and forward packages.
 */
public final class DeliveryLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeliveryLoop.class);

    /** One retry delay never exceeds this, however many attempts are configured. */
    public static final long MAX_BACKOFF_MS = 5 * 60_000L;
    private static final long BACKLOG_REFRESH_MS = 1000;

    /** What the loop does with each record; it returns once the record may be committed. */
    @FunctionalInterface
    public interface RecordDelivery {
        void deliver(ConsumerRecord<String, byte[]> record) throws Stopping, PublishFailedException;
    }

    /** Thrown when the loop is stopping in the middle of a record: that record stays uncommitted. */
    public static final class Stopping extends Exception {
        public Stopping() {
            super(null, null, false, false);
        }
    }

    /** A status or dead-letter write that failed: the record is read again rather than committed. */
    public static final class PublishFailedException extends Exception {
        public PublishFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * One destination's share of the backlog gauge: while the record in hand is already settled for
     * it, its backlog is one less. The loop clears the mark when it commits.
     */
    public final class Destination {
        private final AtomicLong settledInHand = new AtomicLong();

        private Destination() {}

        /** The record in hand is settled for this destination (sent, or its dead letter is on its way). */
        public void settled() {
            settledInHand.set(1);
        }

        /** Records on the source topic not yet settled for this destination. */
        public long backlog() {
            return Math.max(0, backlog.get() - settledInHand.get());
        }
    }

    private final String label;
    private final String sourceTopic;
    private final long retryBackoffMs;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final RecordDelivery delivery;
    private final Runnable afterClose;
    private final Thread thread;
    /** Records not yet settled, over all assigned partitions; written by the loop thread, read by scrapes. */
    private final AtomicLong backlog = new AtomicLong();
    private final List<Destination> destinations = new ArrayList<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    private long backlogRefreshedAt;
    private volatile boolean running = true;
    private volatile boolean joined;
    private volatile String failure;

    /**
     * @param label          who delivers, in readiness reasons and logs ("forwarder", "alert output hl7")
     * @param retryBackoffMs how long to wait before reading a failed record again
     * @param producer       the producer {@code delivery} writes with; the loop closes it when it ends
     * @param afterClose     releases whatever else {@code delivery} holds, once the clients are closed
     */
    public DeliveryLoop(String label, String threadName, String sourceTopic, long retryBackoffMs,
                        KafkaConsumer<String, byte[]> consumer, KafkaProducer<String, byte[]> producer,
                        RecordDelivery delivery, Runnable afterClose) {
        this.label = label;
        this.sourceTopic = sourceTopic;
        this.retryBackoffMs = retryBackoffMs;
        this.consumer = consumer;
        this.producer = producer;
        this.delivery = delivery;
        this.afterClose = afterClose;
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
    }

    /**
     * The consumer settings both loops share: a group of their own, manual commits of committed
     * transactions only, from the earliest offset for a new group (nothing already on the topic is
     * skipped), and one record per poll with a poll interval that covers every attempt and back-off of
     * that record, so a slow destination does not get the loop thrown out of its group mid-record.
     */
    public static Properties consumerSettings(Properties kafkaClient, String groupId, long maxPollIntervalMs) {
        Properties c = new Properties();
        c.putAll(kafkaClient);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(Topics.MAX_MESSAGE_BYTES));
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
        c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Long.toString(maxPollIntervalMs));
        // The coordinator connection must outlive the longest record, or a rebalance can find it closed.
        c.put(ConsumerConfig.CONNECTIONS_MAX_IDLE_MS_CONFIG, Long.toString(maxPollIntervalMs + 60_000));
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId + "-consumer");
        return c;
    }

    /** The producer settings both loops share: idempotent, acknowledged by all replicas. */
    public static Properties producerSettings(Properties kafkaClient, String groupId) {
        Properties p = new Properties();
        p.putAll(kafkaClient);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, groupId + "-producer");
        return p;
    }

    /**
     * The longest one record can keep the loop, given how long one attempt to one destination can take:
     * every attempt and back-off to every destination, plus a minute; at least five minutes.
     */
    public static long maxPollIntervalMs(int destinations, int maxAttempts, long attemptMs, long backoffMs) {
        long backoffs = 0;
        long delay = backoffMs;
        for (int i = 1; i < maxAttempts; i++) {
            backoffs += delay;
            delay = nextBackoff(delay);
        }
        long perRecord = destinations * (maxAttempts * attemptMs + backoffs) + 60_000;
        return Math.min(Integer.MAX_VALUE, Math.max(300_000, perRecord));
    }

    /** The delay after {@code delay}: doubled, up to {@link #MAX_BACKOFF_MS}. */
    public static long nextBackoff(long delay) {
        return Math.min(delay * 2, MAX_BACKOFF_MS);
    }

    /** A destination for the backlog gauges; make them all before {@link #start()}. */
    public Destination destination() {
        Destination d = new Destination();
        destinations.add(d);
        return d;
    }

    public DeliveryLoop start() {
        thread.start();
        return this;
    }

    /** For readiness: null once the consumer has polled and the thread runs, else why not. */
    public String notReadyReason() {
        if (failure != null) {
            return label + " stopped: " + failure;
        }
        if (!thread.isAlive()) {
            return label + " not running";
        }
        return joined ? null : label + " joining consumer group";
    }

    private void run() {
        try {
            consumer.subscribe(List.of(sourceTopic), new ConsumerRebalanceListener() {
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
                        delivery.deliver(r);
                    } catch (PublishFailedException e) {
                        log.warn("{}: record {}-{}@{} will be read again: {}", label, r.topic(), r.partition(), r.offset(),
                                e.getMessage());
                        consumer.seek(tp, r.offset());
                        pause(retryBackoffMs);
                        break;
                    } catch (Stopping | WakeupException | InterruptException e) {
                        throw e;
                    } catch (RuntimeException e) {
                        // Keep the record (uncommitted) and retry it after the back-off; the backlog metric
                        // and the log show the problem.
                        log.error("{}: unexpected failure on {}-{}@{}; it will be retried", label, r.topic(), r.partition(),
                                r.offset(), e);
                        consumer.seek(tp, r.offset());
                        pause(retryBackoffMs);
                        break;
                    }
                    commit(tp, r.offset() + 1);
                }
                settleSkippedMarkers();
                refreshBacklog();
            }
        } catch (Stopping | WakeupException | InterruptException e) {
            // close() asked us to stop; the record in hand stays uncommitted and is delivered again later
        } catch (RuntimeException e) {
            failure = e.toString();
            log.error("{} stopped", label, e);
        } finally {
            // A stop request may have left the interrupt flag set; the clients would refuse to close cleanly.
            Thread.interrupted();
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                log.debug("{}: closing the consumer: {}", label, e.toString());
            }
            try {
                producer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                log.debug("{}: closing the producer: {}", label, e.toString());
            }
            afterClose.run();
        }
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

    /**
     * Between polls every record before the consumer's position is handled, so the backlog counts from
     * there. The source topic is written in transactions (by Kafka Streams), and its end offset counts
     * each transaction's commit marker: the consumer skips the marker, no commit of ours covers it, and
     * end minus committed stayed at 1 after everything was handled.
     */
    private void settleSkippedMarkers() {
        for (var e : committed.entrySet()) {
            try {
                long position = consumer.position(e.getKey(), Duration.ofSeconds(5));
                if (position > e.getValue()) {
                    e.setValue(position);
                }
            } catch (WakeupException | InterruptException ex) {
                throw ex;
            } catch (KafkaException | IllegalStateException ex) {
                log.debug("{}: position of {} not known: {}", label, e.getKey(), ex.toString());
            }
        }
    }

    private void commit(TopicPartition tp, long next) {
        try {
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(next)), Duration.ofSeconds(30));
            committed.put(tp, next);
        } catch (WakeupException | InterruptException e) {
            throw e;
        } catch (KafkaException e) {
            // Lost the partition in a rebalance, or the broker timed out: the new owner, or our next
            // commit of a later offset, covers this record. At worst it is delivered once more, and
            // receivers know it again by its SOP Instance UID or event id.
            log.warn("{}: commit of {}@{} failed: {}", label, tp, next, e.toString());
        } finally {
            destinations.forEach(d -> d.settledInHand.set(0));
        }
    }

    private void refreshBacklog() {
        long now = System.currentTimeMillis();
        if (now - backlogRefreshedAt < BACKLOG_REFRESH_MS) {
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
            log.debug("{}: backlog not refreshed: {}", label, e.toString());
        }
    }

    /** Waits for a record's status and dead-letter writes; the record is committed only when all are acknowledged. */
    public static void await(List<Future<RecordMetadata>> writes) throws PublishFailedException, Stopping {
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
    public void pause(long ms) throws Stopping {
        long until = System.currentTimeMillis() + ms;
        try {
            while (running) {
                long left = until - System.currentTimeMillis();
                if (left <= 0) {
                    return;
                }
                Thread.sleep(Math.min(left, 200));
                refreshBacklog();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new Stopping();
    }

    @Override
    public void close() {
        if (running && thread.getState() == Thread.State.NEW) {
            running = false;
            consumer.close(Duration.ZERO);
            producer.close(Duration.ZERO);
            afterClose.run();
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
            log.warn("{}: thread did not stop within 30 s", label);
        }
    }
}
