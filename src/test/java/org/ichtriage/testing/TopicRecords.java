package org.ichtriage.testing;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.ichtriage.UserError;
import org.ichtriage.config.IchConfig;
import org.ichtriage.kafka.KafkaConnection;
import org.ichtriage.kafka.TopicReader;

/**
 * The tests' one way to read a topic from its start: {@link TopicReader} (committed records only,
 * every partition), asked again until enough records are there.
 */
public final class TopicRecords {
    private TopicRecords() {
    }

    /** A connection to a plain test broker, with the default client settings. */
    public static KafkaConnection connection(String bootstrapServers) {
        return new KafkaConnection(bootstrapServers, IchConfig.load(null, Map.of(), Map.of()).kafka());
    }

    /**
     * Every record on the topic once at least {@code atLeast} are there, or what is there when the
     * timeout passes (the caller asserts). With a {@code grace} above zero the topic is read once more
     * after that long, so that records that should not come have had the time to come.
     */
    public static List<ConsumerRecord<String, byte[]>> await(String bootstrapServers, String topic, int atLeast, Duration timeout,
                                                             Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (TopicReader reader = new TopicReader(connection(bootstrapServers))) {
            List<ConsumerRecord<String, byte[]>> out = List.of();
            while (true) {
                try {
                    out = reader.readAll(topic, r -> true);
                } catch (UserError e) {
                    // the topic does not exist yet
                }
                if (out.size() >= atLeast) {
                    if (grace.isZero()) {
                        return out;
                    }
                    Thread.sleep(grace.toMillis());
                    return reader.readAll(topic, r -> true);
                }
                if (System.nanoTime() > deadline) {
                    return out;
                }
                Thread.sleep(200);
            }
        }
    }
}
