package org.ichtriage.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.ichtriage.kafka.EmbeddedKafka;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One embedded Kafka broker for the tests of a class: started before its {@code @BeforeAll}
 * methods, stopped after its {@code @AfterAll} methods, its data in a temporary folder removed then.
 * With it, on first use, an admin client and a producer that the class's tests share, closed before
 * the broker.
 *
 * <pre>{@code @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();}</pre>
 */
public final class EmbeddedKafkaExtension implements BeforeAllCallback, AfterAllCallback {
    private Path dir;
    private EmbeddedKafka broker;
    private Admin admin;
    private KafkaProducer<String, byte[]> producer;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("ich-kafka-it-");
        broker = new EmbeddedKafka(dir.resolve("kafka"), "127.0.0.1", 0).start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (producer != null) {
            producer.close();
            producer = null;
        }
        if (admin != null) {
            admin.close();
            admin = null;
        }
        if (broker != null) {
            broker.close();
            broker = null;
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    public EmbeddedKafka broker() {
        if (broker == null) {
            throw new IllegalStateException("the embedded broker runs only between beforeAll and afterAll");
        }
        return broker;
    }

    public String bootstrapServers() {
        return broker().bootstrapServers();
    }

    /** The settings a client of this broker needs: its address. A fresh copy to add to. */
    public Properties client() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return p;
    }

    public Admin admin() {
        if (admin == null) {
            admin = Admin.create(client());
        }
        return admin;
    }

    /** A producer of keyed byte records, acknowledged by all replicas. */
    public KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            Properties p = client();
            // Topics are created a moment before they are written: a non-idempotent producer retries
            // NOT_LEADER instead of failing the batch (seen in ReplayIT).
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    /** Creates single-partition topics, each with {@code configs}, and waits until they exist. */
    public void createTopics(Map<String, String> configs, List<String> names) throws Exception {
        List<NewTopic> topics = new ArrayList<>();
        for (String name : names) {
            topics.add(new NewTopic(name, 1, (short) 1).configs(configs));
        }
        admin().createTopics(topics).all().get(30, TimeUnit.SECONDS);
    }

    /** The offset {@code group} has committed on partition 0 of {@code topic}, or null when none. */
    public Long committed(String group, String topic) throws Exception {
        OffsetAndMetadata om = admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                .get(new TopicPartition(topic, 0));
        return om == null ? null : om.offset();
    }
}
