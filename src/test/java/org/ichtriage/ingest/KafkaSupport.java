package org.ichtriage.ingest;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.ichtriage.testing.TopicRecords;

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
    static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, String topic, int atLeast, Duration timeout)
            throws InterruptedException {
        return TopicRecords.await(bootstrap, topic, atLeast, timeout, Duration.ofMillis(500));
    }
}
