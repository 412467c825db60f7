package org.ichtriage.kafka;

import org.ichtriage.Topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.ichtriage.config.IchConfig;
import org.ichtriage.testing.TopicRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded broker is a real KRaft broker: records written before a restart on the same folder are read after it. */
class EmbeddedKafkaIT {
    @TempDir
    Path tmp;

    /**
     * A burst of writes right after ensure() created a topic lands without one retry: ensure() waits until
     * each new partition's leader answers (TopicCatalog.awaitLeaders). Without that wait, some of these
     * bursts met NOT_LEADER_OR_FOLLOWER on their first batch (see docs/decisions/replay.md). Each round
     * creates two topics and a fresh producer, as a replay does.
     */
    @Test
    void aBurstRightAfterEnsureCreatedTheTopicNeedsNoRetry() throws Exception {
        try (EmbeddedKafka broker = new EmbeddedKafka(tmp.resolve("kafka-burst"), "127.0.0.1", 0).start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            byte[] slice = new byte[33_000];
            double retries = 0;
            for (int round = 0; round < BURST_ROUNDS; round++) {
                String topic = "burst-" + round;
                TopicCatalog.ensure(admin, List.of(new TopicCatalog.TopicSpec(topic, 1, (short) 1, Map.of()),
                        new TopicCatalog.TopicSpec(topic + "-other", 2, (short) 1, Map.of())));
                try (KafkaProducer<String, byte[]> p = producer(broker.bootstrapServers())) {
                    List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
                    for (int i = 0; i < 12; i++) {
                        sent.add(p.send(new ProducerRecord<>(topic, 0, "series", slice)));
                    }
                    for (var f : sent) {
                        f.get(150, java.util.concurrent.TimeUnit.SECONDS);
                    }
                    retries += p.metrics().entrySet().stream()
                            .filter(e -> e.getKey().name().equals("record-retry-total") && e.getKey().group().equals("producer-metrics"))
                            .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
                }
            }
            assertEquals(0.0, retries, "records retried after NOT_LEADER_OR_FOLLOWER on a topic ensure() had just created");
        }
    }

    private static final int BURST_ROUNDS = 40;

    @Test
    void producesConsumesAndSurvivesRestartOnSameFolder() throws Exception {
        Path data = tmp.resolve("kafka");
        byte[] slice = new byte[600 * 1024]; // larger than a 512x512 slice, above the 1 MB-ish defaults of nothing but close
        for (int i = 0; i < slice.length; i++) {
            slice[i] = (byte) (i * 31);
        }
        IchConfig.Topics topics = new IchConfig.Topics(2, (short) 1, 24);
        try (EmbeddedKafka broker = new EmbeddedKafka(data, "127.0.0.1", 0).start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            TopicCatalog.ensureTopics(admin, topics);
            TopicCatalog.ensureTopics(admin, topics); // idempotent
            Set<String> names = admin.listTopics().names().get();
            for (TopicCatalog.TopicSpec s : TopicCatalog.specs(topics)) {
                assertTrue(names.contains(s.name()), s.name());
            }
            try (KafkaProducer<String, byte[]> p = producer(broker.bootstrapServers())) {
                p.send(new ProducerRecord<>(Topics.INSTANCES, "series-1", slice)).get();
                p.send(new ProducerRecord<>(Topics.INSTANCES, "series-1", "second".getBytes(StandardCharsets.UTF_8))).get();
            }
            assertEquals(2, consumeAll(broker.bootstrapServers(), 2).size());
        }
        assertTrue(Files.exists(data.resolve("meta.properties")), "data folder formatted once");
        String metaBefore = Files.readString(data.resolve("meta.properties"));

        try (EmbeddedKafka again = new EmbeddedKafka(data, "127.0.0.1", 0).start()) {
            assertEquals(metaBefore, Files.readString(data.resolve("meta.properties")), "restart must not reformat");
            List<ConsumerRecord<String, byte[]>> records = consumeAll(again.bootstrapServers(), 2);
            assertEquals(2, records.size());
            assertEquals("series-1", records.get(0).key());
            assertTrue(java.util.Arrays.equals(slice, records.get(0).value()), "600 KB record intact after restart");
            assertEquals("second", new String(records.get(1).value(), StandardCharsets.UTF_8));
        }
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(Topics.MAX_MESSAGE_BYTES));
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private static List<ConsumerRecord<String, byte[]>> consumeAll(String bootstrap, int expected) throws InterruptedException {
        return TopicRecords.await(bootstrap, Topics.INSTANCES, expected, Duration.ofSeconds(30), Duration.ZERO);
    }
}
