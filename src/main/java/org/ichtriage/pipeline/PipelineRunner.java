package org.ichtriage.pipeline;

import org.ichtriage.Topics;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the triage topology in Kafka Streams with exactly-once processing. */
public final class PipelineRunner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PipelineRunner.class);

    private final KafkaStreams streams;
    /** Null for a topology without the instance source (none is built today). */
    private final InputEndPoller inputEnd;
    private final InputEnd.Registry.Registration inputEndRegistration;

    public PipelineRunner(Topology topology, Properties clientProperties, String applicationId, Path stateDir,
                          int streamThreads, short replicationFactor) {
        this(topology, streamsConfig(clientProperties, applicationId, stateDir, streamThreads, replicationFactor));
    }

    /**
     * A long-lived worker: a static group member under {@code staticMemberId} (Streams adds the
     * thread number), so that after kill -9 the restarted process takes its partitions back at once
     * instead of waiting out the dead member's session; task folders that kill -9 left without a
     * checkpoint are cleared before the start (WorkerStateFolder).
     */
    public static PipelineRunner staticMember(Topology topology, Properties clientProperties, String applicationId,
                                              Path stateDir, int streamThreads, short replicationFactor,
                                              String staticMemberId) {
        WorkerStateFolder.discardUncheckpointedTasks(stateDir, applicationId);
        Properties p = streamsConfig(clientProperties, applicationId, stateDir, streamThreads, replicationFactor);
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), staticMemberId);
        log.info("pipeline joins group {} as static member {}", applicationId, staticMemberId);
        return new PipelineRunner(topology, p);
    }

    private PipelineRunner(Topology topology, Properties config) {
        this.streams = new KafkaStreams(topology, config);
        String applicationId = config.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
        this.inputEnd = instanceTopic(topology).map(topic -> new InputEndPoller(
                new StreamsConfig(config).getAdminConfigs(applicationId + "-input-end"), topic, applicationId)).orElse(null);
        this.inputEndRegistration = inputEnd == null ? () -> { } : InputEnd.Registry.register(applicationId, inputEnd);
        streams.setUncaughtExceptionHandler(e -> {
            log.error("stream thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> log.info("pipeline state {} -> {}", before, now));
    }

    /** The topic the series assembly reads, whose end the assembly must know (SeriesAssemblyProcessor#quietMs). */
    private static java.util.Optional<String> instanceTopic(Topology topology) {
        for (TopologyDescription.Subtopology sub : topology.describe().subtopologies()) {
            for (TopologyDescription.Node node : sub.nodes()) {
                if (node instanceof TopologyDescription.Source source && TriageTopology.SOURCE.equals(source.name())
                        && source.topicSet() != null && source.topicSet().size() == 1) {
                    return java.util.Optional.of(source.topicSet().iterator().next());
                }
            }
        }
        return java.util.Optional.empty();
    }

    public static Properties streamsConfig(Properties clientProperties, String applicationId, Path stateDir,
                                           int streamThreads, short replicationFactor) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, streamThreads);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) replicationFactor);
        // A slice is about 525 KB and a SEG can be several MB: lift every size limit on the path.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), Topics.MAX_MESSAGE_BYTES);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), Topics.MAX_MESSAGE_BYTES);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_BYTES_CONFIG), 4 * Topics.MAX_MESSAGE_BYTES);
        p.put(StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG), Topics.MAX_MESSAGE_BYTES);
        // Analysis of a volume runs inside the stream thread; give it room before the group evicts the thread.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG), (int) Duration.ofMinutes(10).toMillis());
        // The coordinator connection must outlive a whole poll interval, or a rebalance during a long
        // analysis can find it closed (the consumer warns at start when it is shorter).
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.CONNECTIONS_MAX_IDLE_MS_CONFIG), (int) Duration.ofMinutes(11).toMillis());
        // ... and inside the exactly-once transaction, whose default 10 s timeout a slow CPU volume would
        // exceed, fencing the producer and re-running the series forever. Brokers allow up to 15 min. The
        // service passes pipeline.transaction-timeout-ms in the client properties; this is its default.
        p.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), (int) Duration.ofMinutes(10).toMillis());
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 50);
        // A worker that dies without leaving the group (kill -9, power loss) holds its partitions until
        // the broker expires it: 45 s by default, 10 s here, so another worker takes over its series
        // sooner (WorkerFailoverIT's restarted worker once waited over 90 s to become ready).
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 3_000);
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        // The topology has no global stores, so this changes nothing today; it is the Kafka 5.0 default,
        // and leaving it unset makes every start warn twice.
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        return p;
    }

    public PipelineRunner start() {
        streams.start();
        return this;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** null when processing, else why not (for /health/ready). */
    public String notReadyReason() {
        KafkaStreams.State s = streams.state();
        return s == KafkaStreams.State.RUNNING ? null : "pipeline is " + s;
    }

    /**
     * Leaves the consumer group on a clean stop. Kafka Streams stays in the group by default, so a
     * restarted worker (or the workers that remain) would wait for the broker to expire the old
     * member (session timeout, 45 s) before any partition is processed again: measured here, the
     * second `run --demo` on one state folder waited 46.8 s for its result instead of 2.1 s.
     */
    @Override
    public void close() {
        streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        inputEndRegistration.close();
        if (inputEnd != null) {
            inputEnd.close();
        }
    }
}
