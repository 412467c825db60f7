package org.ichtriage.cli;

import org.ichtriage.Topics;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.ichtriage.config.IchConfig;
import org.ichtriage.kafka.KafkaConnection;
import org.ichtriage.events.EventJson;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import org.ichtriage.UserError;

@Command(name = "events", mixinStandardHelpOptions = true,
        description = {"Print the records of a topic as JSON lines: result events, dead letters, or instance and SEG headers",
                "(never pixel data). Uses no consumer group, so it never moves anyone's offsets."},
        footer = {"", "Examples:", "  ich-triage events --from-beginning",
                "  ich-triage events --topic ich.deadletter.v1 --from-beginning --follow",
                "  ich-triage events --topic ich.instances.v1 --from-beginning --bootstrap-servers 127.0.0.1:9092"})
final class EventsCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions options;

    @Option(names = "--topic", defaultValue = Topics.RESULTS, description = "topic to print (default ${DEFAULT-VALUE})")
    String topic;

    @Option(names = "--from-beginning", description = "start at the earliest record instead of the end")
    boolean fromBeginning;

    @Option(names = "--follow", description = "keep waiting for new records (Ctrl-C stops)")
    boolean follow;

    @Option(names = "--idle-ms", defaultValue = "3000", description = "without --follow, stop after this long with no new record")
    long idleMs;

    @Override
    public Integer call() {
        IchConfig config = options.load(Map.of());
        String bootstrap = KafkaConnection.answering(config.kafka()).bootstrapServers();
        Properties p = config.kafka().clientSecurityProperties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_MESSAGE_BYTES);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        PrintStream out = System.out;
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(15)).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            if (parts.isEmpty()) {
                throw new UserError("topic " + topic + " does not exist at " + bootstrap);
            }
            c.assign(parts);
            if (fromBeginning) {
                c.seekToBeginning(parts);
            } else {
                c.seekToEnd(parts);
            }
            long lastRecord = System.currentTimeMillis();
            while (follow || System.currentTimeMillis() - lastRecord < idleMs) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.println(EventJson.MAPPER.valueToTree(describe(r)).toString());
                    lastRecord = System.currentTimeMillis();
                }
                out.flush();
            }
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new UserError("Kafka at " + bootstrap + " did not answer: " + e.getMessage());
        }
        return 0;
    }

    /** JSON payloads are printed as they are; binary payloads (DICOM) only by size and headers. */
    static Map<String, Object> describe(ConsumerRecord<String, byte[]> r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("topic", r.topic());
        m.put("partition", r.partition());
        m.put("offset", r.offset());
        m.put("timestamp", Instant.ofEpochMilli(r.timestamp()).toString());
        m.put("key", r.key());
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header h : r.headers()) {
            headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
        }
        if (!headers.isEmpty()) {
            m.put("headers", headers);
        }
        byte[] v = r.value();
        if (v != null && v.length > 0 && v[0] == '{') {
            try {
                m.put("value", EventJson.MAPPER.readValue(v, JsonNode.class));
                return m;
            } catch (java.io.IOException notJson) {
                // fall through to the binary description
            }
        }
        m.put("value_bytes", v == null ? 0 : v.length);
        return m;
    }
}
