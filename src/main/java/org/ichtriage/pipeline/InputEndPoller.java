package org.ichtriage.pipeline;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks up the end of the input topic's partitions about once a second with an Admin client, beside
 * the stream threads, so that a stalled thread can still learn that records wait for it. A failed
 * look-up (broker down) keeps the ends last seen: while the broker is away nothing new is written.
 */
final class InputEndPoller implements InputEnd, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InputEndPoller.class);
    static final Duration EVERY = Duration.ofSeconds(1);
    private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(5);

    private final Admin admin;
    private final String topic;
    private final ConcurrentMap<TopicPartition, Long> ends = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private volatile boolean lastLookupFailed;

    InputEndPoller(Map<String, Object> adminConfig, String topic) {
        this.admin = Admin.create(adminConfig);
        this.topic = topic;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "input-end-" + topic);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::lookUp, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public OptionalLong endOffset(TopicPartition partition) {
        Long end = ends.get(partition);
        return end == null ? OptionalLong.empty() : OptionalLong.of(end);
    }

    private void lookUp() {
        try {
            TopicDescription d = admin.describeTopics(java.util.List.of(topic)).allTopicNames()
                    .get(LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (TopicPartitionInfo p : d.partitions()) {
                latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
            }
            // read_committed: the end a read_committed consumer can reach (the stable offset)
            admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .forEach((tp, info) -> ends.put(tp, info.offset()));
            if (lastLookupFailed) {
                log.info("end offsets of {} known again", topic);
                lastLookupFailed = false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (!lastLookupFailed) {
                log.warn("end offsets of {} not looked up ({}); the last seen stay in use", topic, e.toString());
                lastLookupFailed = true;
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        admin.close(Duration.ofSeconds(5));
    }
}
