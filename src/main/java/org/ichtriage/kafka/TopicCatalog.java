package org.ichtriage.kafka;

import static org.ichtriage.Topics.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.ichtriage.config.IchConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topics of ich-triage and their settings. The names are a contract (docs/architecture.md): change
 * one only with a version bump. docs/operations.md explains each retention choice.
 */
public final class TopicCatalog {
    private static final Logger log = LoggerFactory.getLogger(TopicCatalog.class);

    private TopicCatalog() {}

    public record TopicSpec(String name, int partitions, short replicationFactor, Map<String, String> configs) {}

    public static List<TopicSpec> specs(IchConfig.Topics t) {
        long instancesRetentionMs = t.instancesRetentionHours() < 0 ? -1 : TimeUnit.HOURS.toMillis(t.instancesRetentionHours());
        List<TopicSpec> specs = new ArrayList<>();
        specs.add(spec(INSTANCES, t, Map.of(
                "retention.ms", Long.toString(instancesRetentionMs),
                "max.message.bytes", Integer.toString(MAX_MESSAGE_BYTES),
                "cleanup.policy", "delete")));
        // Results, dead letters and forwarding statuses are the audit trail: kept for good.
        for (String name : List.of(RESULTS, DEADLETTER, RESULTS_REPLAY, FORWARDING, SKIPPED, STUDY_RESULTS)) {
            specs.add(spec(name, t, Map.of(
                    "retention.ms", "-1",
                    "max.message.bytes", Integer.toString(MAX_MESSAGE_BYTES),
                    "cleanup.policy", "delete")));
        }
        specs.add(spec(SEG, t, Map.of(
                "retention.ms", "-1",
                "max.message.bytes", Integer.toString(MAX_MESSAGE_BYTES),
                "cleanup.policy", "delete")));
        return specs;
    }

    /**
     * The staging topic of a worker application (result events keyed by patient, between assembly and
     * the expansion stage). Every event on it is also on ich.results.v1, so a week covers any outage.
     */
    public static TopicSpec stagingSpec(String name, IchConfig.Topics t) {
        return spec(name, t, Map.of(
                "retention.ms", Long.toString(TimeUnit.DAYS.toMillis(7)),
                "max.message.bytes", Integer.toString(MAX_MESSAGE_BYTES),
                "cleanup.policy", "delete"));
    }

    /** A topic of ich-triage: the partitions and replication of the settings, their durability, and these configs. */
    public static TopicSpec spec(String name, IchConfig.Topics t, Map<String, String> configs) {
        Map<String, String> all = new HashMap<>(durability(t));
        all.putAll(configs);
        return new TopicSpec(name, t.partitions(), t.replicationFactor(), Map.copyOf(all));
    }

    /**
     * What every created topic carries so that a confirmed write survives the loss of a broker
     * (docs/operations.md): set on the topic, so that a cluster-wide default cannot weaken it.
     */
    public static Map<String, String> durability(IchConfig.Topics t) {
        Map<String, String> m = new HashMap<>();
        // an out-of-sync replica must never become leader: it would drop writes already confirmed
        m.put(UNCLEAN_LEADER_ELECTION, "false");
        t.minInsyncReplicas().ifPresent(n -> m.put(MIN_INSYNC_REPLICAS, Integer.toString(n)));
        return Map.copyOf(m);
    }

    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    public static final String UNCLEAN_LEADER_ELECTION = "unclean.leader.election.enable";

    /** Topic setting: sync the log to disk after this many records; 1 syncs each write before it is confirmed. */
    public static final String FLUSH_MESSAGES = "flush.messages";

    /**
     * On the embedded broker, whose topics are this process's own: makes ich.instances.v1 sync every
     * write to disk before the broker confirms it (or returns it to the broker's default). Applied to an
     * existing topic too, so that an installation upgraded in place gets the promise.
     */
    public static void syncInstancesBeforeAck(Admin admin, boolean sync) throws InterruptedException, TimeoutException {
        ConfigResource topic =
                new ConfigResource(ConfigResource.Type.TOPIC, INSTANCES);
        AlterConfigOp op = sync
                ? new AlterConfigOp(new ConfigEntry(FLUSH_MESSAGES, "1"),
                        AlterConfigOp.OpType.SET)
                : new AlterConfigOp(new ConfigEntry(FLUSH_MESSAGES, ""),
                        AlterConfigOp.OpType.DELETE);
        try {
            admin.incrementalAlterConfigs(Map.of(topic, List.of(op))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot set " + FLUSH_MESSAGES + " on " + INSTANCES + ": " + e.getCause().getMessage(), e.getCause());
        }
        log.info("{}: {}", INSTANCES, sync ? "each write is synced to disk before it is confirmed (kafka.embedded.sync-instances)"
                : "writes are confirmed from the page cache (kafka.embedded.sync-instances=false)");
    }

    /** Creates the missing topics; existing ones are left as they are (their settings are an operator's choice). */
    public static void ensureTopics(Admin admin, IchConfig.Topics t) throws InterruptedException, TimeoutException {
        ensure(admin, specs(t));
    }

    public static void ensure(Admin admin, List<TopicSpec> specs) throws InterruptedException, TimeoutException {
        Set<String> existing;
        try {
            existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list Kafka topics: " + e.getCause().getMessage(), e.getCause());
        }
        List<NewTopic> missing = new ArrayList<>();
        for (TopicSpec s : specs) {
            if (!existing.contains(s.name())) {
                missing.add(new NewTopic(s.name(), s.partitions(), s.replicationFactor()).configs(new HashMap<>(s.configs())));
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        for (var entry : admin.createTopics(missing).values().entrySet()) {
            try {
                entry.getValue().get(30, TimeUnit.SECONDS);
                log.info("created topic {}", entry.getKey());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + entry.getKey() + ": " + e.getCause().getMessage(), e.getCause());
                }
            }
        }
        List<TopicPartition> created = new ArrayList<>();
        for (NewTopic t : missing) {
            for (int p = 0; p < t.numPartitions(); p++) {
                created.add(new TopicPartition(t.name(), p));
            }
        }
        awaitLeaders(admin, created, LEADER_WAIT_MS);
    }

    static final long LEADER_WAIT_MS = 15_000;

    /**
     * Waits until the broker leading each new partition acts as its leader. A topic is announced in the
     * metadata a moment before its leader accepts writes; a producer that writes in that moment gets
     * NOT_LEADER_OR_FOLLOWER on its first batch while later batches land, and an idempotent producer
     * then fails that first batch after delivery.timeout.ms (docs/decisions/replay.md). DescribeProducers
     * is answered by the partition leader's log, so its success is the readiness that matters.
     *
     * @return true when every partition answered; false after maxWaitMs, or when the broker does not
     *         allow the request (the wait is an optimisation, never a reason to stop)
     */
    static boolean awaitLeaders(Admin admin, List<TopicPartition> partitions, long maxWaitMs) throws InterruptedException {
        if (partitions.isEmpty()) {
            return true;
        }
        long deadline = System.currentTimeMillis() + maxWaitMs;
        Throwable last = null;
        while (System.currentTimeMillis() < deadline) {
            try {
                admin.describeProducers(partitions).all().get(5, TimeUnit.SECONDS);
                return true;
            } catch (ExecutionException e) {
                last = e.getCause();
                if (!(last instanceof RetriableException)) {
                    log.debug("not waiting for the leaders of {}: {}", partitions, last.toString());
                    return false;
                }
            } catch (TimeoutException e) {
                last = e;
            }
            Thread.sleep(50);
        }
        log.warn("new partitions {} had no active leader after {} ms ({}); going on", partitions, maxWaitMs, String.valueOf(last));
        return false;
    }
}
