package org.ichtriage.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.streams.KafkaStreams;
import org.ichtriage.Topics;
import org.ichtriage.kafka.EmbeddedKafka;
import org.ichtriage.kafka.TopicCatalog;
import org.ichtriage.config.IchConfig;
import org.ichtriage.testing.EmbeddedKafkaExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ichtriage.analysis.SeriesAnalyzer;

/** Lifecycle of the Streams runner against a real broker. */
class PipelineRunnerIT {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir
    Path tmp;

    @Test
    void aCleanStopLeavesTheGroupSoThatARestartNeedNotWaitForTheSessionTimeout() throws Exception {
        EmbeddedKafka broker = KAFKA.broker();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            IchConfig.Topics topics = new IchConfig.Topics(2, (short) 1, 24);
            TopicCatalog.ensureTopics(admin, topics);
            String appId = "ich-triage-worker"; // the application id TriageTopology.build names its staging topic after
            StreamLimits limits = new StreamLimits(10_000, 10, 1L << 20, 4, 60_000);
            TopicCatalog.ensure(admin, List.of(TopicCatalog.stagingSpec(
                    PipelineSettings.live(limits, appId, PipelineSettings.DEFAULT_EXPANSION).stagingTopic(), topics)));
            Properties client = new Properties();
            client.put("bootstrap.servers", broker.bootstrapServers());
            SeriesAnalyzer none = batch -> List.of();
            PipelineRunner runner = new PipelineRunner(TriageTopology.build(none,
                    limits, Topics.INSTANCES, Topics.RESULTS),
                    client, appId, tmp.resolve("state"), 1, (short) 1).start();
            long deadline = System.currentTimeMillis() + 120_000;
            while (runner.state() != KafkaStreams.State.RUNNING && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(KafkaStreams.State.RUNNING, runner.state());
            ConsumerGroupDescription running = admin.describeConsumerGroups(List.of(appId)).all().get().get(appId);
            assertEquals(1, running.members().size(), "the runner is a member while it runs");

            runner.close();

            ConsumerGroupDescription stopped = admin.describeConsumerGroups(List.of(appId)).all().get().get(appId);
            assertTrue(stopped.members().isEmpty(), "no member left behind after a clean stop: " + stopped.members());
        }
    }
}
