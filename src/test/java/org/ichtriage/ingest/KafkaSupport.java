package org.ichtriage.ingest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Topic creation and read-everything helpers for ITs against the embedded broker. */
final class KafkaSupport {
    private KafkaSupport() {
    }

    static Properties client(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return p;
    }

    static void createInstancesTopic(String bootstrap, int partitions) throws Exception {
        try (Admin a = Admin.create(client(bootstrap))) {
            a.createTopics(List.of(new NewTopic(IngestConfig.INSTANCES_TOPIC, partitions, (short) 1)
                    .configs(Map.of("max.message.bytes", Integer.toString(16 * 1024 * 1024)))))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    /** Reads the topic from the beginning until {@code atLeast} records are seen or the timeout passes, then a short grace. */
    static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, String topic, int atLeast, Duration timeout) {
        Properties p = client(bootstrap);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(16 * 1024 * 1024));
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(pi -> new TopicPartition(topic, pi.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            long deadline = System.nanoTime() + timeout.toNanos();
            long grace = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, grace)) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
                if (out.size() >= atLeast && grace == Long.MAX_VALUE) {
                    grace = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
                }
            }
        }
        return out;
    }
}
