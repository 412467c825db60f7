package org.ichtriage.kafka;

import org.ichtriage.Topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.ichtriage.UserError;

/**
 * Bounded reads of a topic without a consumer group (so no one's offsets move), for the audit
 * commands: everything up to the end offsets seen at the start, or a time range.
 */
public final class TopicReader implements AutoCloseable {
    private static final Duration API_TIMEOUT = Duration.ofSeconds(15);
    private final KafkaConsumer<String, byte[]> consumer;

    public TopicReader(KafkaConnection kafka) {
        Properties p = kafka.clientProperties();
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_MESSAGE_BYTES);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 4 * Topics.MAX_MESSAGE_BYTES);
        // only what the producers committed: an aborted exactly-once write is not part of the record
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    public List<TopicPartition> partitions(String topic) {
        var infos = consumer.partitionsFor(topic, API_TIMEOUT);
        if (infos == null || infos.isEmpty()) {
            throw new UserError("topic " + topic + " does not exist");
        }
        return infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
    }

    public Map<TopicPartition, Long> endOffsets(String topic) {
        return consumer.endOffsets(partitions(topic), API_TIMEOUT);
    }

    /** Every record now on the topic that the filter accepts. */
    public List<ConsumerRecord<String, byte[]>> readAll(String topic, Predicate<ConsumerRecord<String, byte[]>> filter) {
        List<TopicPartition> parts = partitions(topic);
        Map<TopicPartition, Long> start = consumer.beginningOffsets(parts, API_TIMEOUT);
        return read(start, consumer.endOffsets(parts, API_TIMEOUT), filter);
    }

    /** Records with timestamps in [fromMs, toMs), by the broker's time index on each partition. */
    public List<ConsumerRecord<String, byte[]>> readTimeRange(String topic, long fromMs, long toMs,
                                                        Predicate<ConsumerRecord<String, byte[]>> filter) {
        List<TopicPartition> parts = partitions(topic);
        Map<TopicPartition, Long> ends = consumer.endOffsets(parts, API_TIMEOUT);
        Map<TopicPartition, Long> start = offsetsAt(parts, fromMs, ends);
        Map<TopicPartition, Long> stop = offsetsAt(parts, toMs, ends);
        // the time index finds the first offset at or after a time; records after it with an earlier
        // timestamp (a producer's clock skew) are filtered out by their own timestamp
        return read(start, stop, filter.and(r -> r.timestamp() >= fromMs && r.timestamp() < toMs));
    }

    private Map<TopicPartition, Long> offsetsAt(List<TopicPartition> parts, long timeMs, Map<TopicPartition, Long> ends) {
        Map<TopicPartition, Long> query = new HashMap<>();
        parts.forEach(tp -> query.put(tp, timeMs));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, API_TIMEOUT);
        Map<TopicPartition, Long> out = new HashMap<>();
        for (TopicPartition tp : parts) {
            OffsetAndTimestamp o = found.get(tp);
            out.put(tp, o == null ? ends.get(tp) : o.offset());
        }
        return out;
    }

    /** Reads [start, end) on each partition. */
    public List<ConsumerRecord<String, byte[]>> read(Map<TopicPartition, Long> start, Map<TopicPartition, Long> end,
                                              Predicate<ConsumerRecord<String, byte[]>> filter) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        // the records are held in memory: stop with a clear message long before the heap is exhausted
        long cap = Runtime.getRuntime().maxMemory() / 3;
        long[] held = {0};
        visit(start, end, r -> {
            if (filter.test(r)) {
                out.add(r);
                held[0] += r.value() == null ? 0 : r.value().length;
                if (held[0] > cap) {
                    throw new UserError("the selected records exceed " + (cap >> 20) + " MiB, a third of the heap;"
                            + " narrow --from/--to, give --series, or raise the heap with JAVA_OPTS=-Xmx...");
                }
            }
        });
        return out;
    }

    /**
     * Hands every record now on the topic to the visitor once, in offset order per partition, without
     * holding them: for a tally over a topic too large to keep (the instances of a long soak run).
     */
    public void visitAll(String topic, Consumer<ConsumerRecord<String, byte[]>> visitor) {
        List<TopicPartition> parts = partitions(topic);
        Map<TopicPartition, Long> start = consumer.beginningOffsets(parts, API_TIMEOUT);
        visit(start, consumer.endOffsets(parts, API_TIMEOUT), visitor);
    }

    private void visit(Map<TopicPartition, Long> start, Map<TopicPartition, Long> end,
                       Consumer<ConsumerRecord<String, byte[]>> visitor) {
        List<TopicPartition> todo = new ArrayList<>();
        for (var e : start.entrySet()) {
            if (e.getValue() < end.get(e.getKey())) {
                todo.add(e.getKey());
            }
        }
        consumer.assign(todo);
        todo.forEach(tp -> consumer.seek(tp, start.get(tp)));
        // an audit must see each record once: a fetch handed back again after a reassignment is skipped by its offset
        Map<TopicPartition, Long> next = new HashMap<>(start);
        long deadline = System.currentTimeMillis() + 60_000;
        while (!todo.isEmpty()) {
            if (System.currentTimeMillis() > deadline) {
                throw new UserError("reading " + todo + " did not reach the end offsets within 60 s");
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                if (r.offset() < next.get(tp)) {
                    continue;
                }
                next.put(tp, r.offset() + 1);
                if (r.offset() < end.get(tp)) {
                    visitor.accept(r);
                }
            }
            // transaction markers take offsets too, so the position (not the last record) tells when a partition is done
            todo.removeIf(tp -> consumer.position(tp, API_TIMEOUT) >= end.get(tp));
            consumer.assign(todo);
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
