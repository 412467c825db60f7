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
 * the stream threads, so that a stalled thread can still learn that records wait for it. Ends older
 * than {@link #STALE_AFTER} count as unknown: records written just before a broker went away would
 * be missing from them, and an unknown end makes the assembly wait (while the broker is away, no
 * result can be published anyway).
 */
final class InputEndPoller implements InputEnd, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InputEndPoller.class);
    static final Duration EVERY = Duration.ofSeconds(1);
    static final Duration STALE_AFTER = Duration.ofSeconds(3);
    private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(5);

    private final Admin admin;
    private final String topic;
    private final String groupId;
    private final ConcurrentMap<TopicPartition, Long> ends = new ConcurrentHashMap<>();
    private final ConcurrentMap<TopicPartition, Long> committed = new ConcurrentHashMap<>();
    /** System.nanoTime() when the last look-up answered. */
    private volatile long lookedUpAtNanos;
    private final ScheduledExecutorService timer;
    private boolean lastLookupFailed;
    private volatile boolean everLookedUp;

    /** @param groupId the Streams application id, whose committed offsets say where its tasks resume */
    InputEndPoller(Map<String, Object> adminConfig, String topic, String groupId) {
        this.admin = Admin.create(adminConfig);
        this.topic = topic;
        this.groupId = groupId;
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
        if (end == null || !everLookedUp || System.nanoTime() - lookedUpAtNanos > STALE_AFTER.toNanos()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(end);
    }

    @Override
    public OptionalLong committedOffset(TopicPartition partition) {
        Long offset = committed.get(partition);
        // committed offsets only grow: an old one can only make a task wait, never close a series early
        return offset == null ? OptionalLong.empty() : OptionalLong.of(offset);
    }

    private void lookUp() {
        long startedNanos = System.nanoTime();
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
            admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata()
                    .get(LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .forEach((tp, offset) -> {
                        if (offset != null && topic.equals(tp.topic())) {
                            committed.put(tp, offset.offset());
                        }
                    });
            // as of when it was asked: a record written during a slow answer may be missing from it
            lookedUpAtNanos = startedNanos;
            if (!everLookedUp) {
                log.info("end offsets of {} looked up, every {} ms: {}", topic, EVERY.toMillis(), ends);
                everLookedUp = true;
            } else if (lastLookupFailed) {
                log.info("end offsets of {} known again", topic);
                lastLookupFailed = false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (!lastLookupFailed) {
                log.warn("end offsets of {} not looked up ({}); series wait until they are known again", topic, e.toString());
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
