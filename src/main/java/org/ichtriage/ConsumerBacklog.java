package org.ichtriage;

import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backlog bookkeeping shared by the two consume-deliver-commit loops (the PACS forwarder and the
 * alert outputs). It sits at the root because the alert outputs are below the kafka package.
 */
public final class ConsumerBacklog {
    private static final Logger log = LoggerFactory.getLogger(ConsumerBacklog.class);

    private ConsumerBacklog() {}

    /**
     * Between polls every record before the consumer's position is handled, so the backlog counts from
     * there. The source topic is written in transactions (by Kafka Streams), and its end offset counts
     * each transaction's commit marker: the consumer skips the marker, no commit of ours covers it, and
     * end minus committed stayed at 1 after everything was handled.
     *
     * @param committed per partition, the next offset known to be handled; raised to the position in place
     */
    public static void settleSkippedMarkers(Consumer<?, ?> consumer, Map<TopicPartition, Long> committed) {
        for (var e : committed.entrySet()) {
            try {
                long position = consumer.position(e.getKey(), Duration.ofSeconds(5));
                if (position > e.getValue()) {
                    e.setValue(position);
                }
            } catch (WakeupException | InterruptException ex) {
                throw ex;
            } catch (KafkaException | IllegalStateException ex) {
                log.debug("position of {} not known: {}", e.getKey(), ex.toString());
            }
        }
    }
}
