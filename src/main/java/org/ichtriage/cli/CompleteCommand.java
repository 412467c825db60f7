package org.ichtriage.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.ichtriage.Topics;
import org.ichtriage.UserError;
import org.ichtriage.config.IchConfig;
import org.ichtriage.kafka.KafkaConnection;
import org.ichtriage.pipeline.SeriesAssemblyProcessor;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "complete", mixinStandardHelpOptions = true,
        description = {"Close a waiting series now instead of after pipeline.completion-gap-ms: writes a force-complete control",
                "record for it to ich.instances.v1, behind its instances, and the worker that owns the series analyses what it",
                "holds (completion_reason FORCED). A series that is not open (unknown, or already completed) is left as it is.",
                "With --wait, waits for the series' result event or dead letter and prints it."},
        footer = {"", "Examples:", "  ich-triage complete 1.2.826.0.1.3680043.2.1125.1",
                "  ich-triage complete 1.2.826.0.1.3680043.2.1125.1 --wait 120 --bootstrap-servers kafka-1:9092",
                "", "Exit status: 0 written (with --wait: a result or dead letter arrived), 1 --wait timed out, 2 a bad UID or no Kafka."})
final class CompleteCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions options;

    @Parameters(arity = "1..*", paramLabel = "SERIES_UID", description = "SeriesInstanceUID of each series to close")
    List<String> series;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "0",
            description = "wait this long for each series' result or dead letter and print it (default ${DEFAULT-VALUE}: do not wait)")
    int waitSeconds;

    @Override
    public Integer call() {
        for (String uid : series) {
            if (!uid.matches("[0-9]+(\\.[0-9]+)*") || uid.length() > 64) {
                throw new UserError("'" + uid + "' is not a SeriesInstanceUID (digits and dots, at most 64 characters)");
            }
        }
        if (waitSeconds < 0) {
            throw new UserError("--wait: '" + waitSeconds + "' is negative");
        }
        IchConfig config = options.load(Map.of());
        return complete(KafkaConnection.answering(config.kafka()), series, Duration.ofSeconds(waitSeconds), System.out);
    }

    static int complete(KafkaConnection kafka, List<String> series, Duration wait, PrintStream out) {
        try (KafkaConsumer<String, byte[]> outcomes = wait.isZero() ? null : outcomeReader(kafka)) {
            // Positions are taken before the control records are written, so no outcome can slip past.
            if (outcomes != null) {
                outcomes.assignment().forEach(outcomes::position);
            }
            write(kafka, series, out);
            if (outcomes == null) {
                out.println("the owning worker closes each series that is open; `ich-triage explain SERIES_UID` shows the outcome");
                return 0;
            }
            return awaitOutcomes(outcomes, series, wait, out);
        }
    }

    private static void write(KafkaConnection kafka, List<String> series, PrintStream out) {
        Properties p = kafka.clientProperties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (String uid : series) {
                // Keyed by the series like its instances, so it lands on their partition, behind them.
                ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.INSTANCES, uid, new byte[0]);
                r.headers().add(SeriesAssemblyProcessor.CONTROL_HEADER, SeriesAssemblyProcessor.FORCE_COMPLETE.getBytes(StandardCharsets.UTF_8));
                RecordMetadata md = producer.send(r).get(30, TimeUnit.SECONDS);
                out.printf("force-complete written for series %s (%s-%d@%d)%n", uid, md.topic(), md.partition(), md.offset());
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new UserError("the force-complete record could not be written to " + Topics.INSTANCES + ": "
                    + (e.getCause() != null ? e.getCause() : e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while writing the force-complete record");
        }
    }

    private static KafkaConsumer<String, byte[]> outcomeReader(KafkaConnection kafka) {
        Properties p = kafka.clientProperties();
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_MESSAGE_BYTES);
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        for (String topic : List.of(Topics.RESULTS, Topics.DEADLETTER)) {
            c.partitionsFor(topic, Duration.ofSeconds(10)).forEach(i -> parts.add(new TopicPartition(i.topic(), i.partition())));
        }
        // No consumer group: an on-call tool must never move anyone's offsets.
        c.assign(parts);
        c.seekToEnd(parts);
        return c;
    }

    private static int awaitOutcomes(KafkaConsumer<String, byte[]> outcomes, List<String> series, Duration wait, PrintStream out) {
        List<String> waiting = new ArrayList<>(series);
        long deadline = System.currentTimeMillis() + wait.toMillis();
        while (!waiting.isEmpty() && System.currentTimeMillis() < deadline) {
            for (ConsumerRecord<String, byte[]> r : outcomes.poll(Duration.ofMillis(200))) {
                if (waiting.remove(r.key())) {
                    out.println(org.ichtriage.events.EventJson.MAPPER.valueToTree(EventsCommand.describe(r)).toString());
                }
            }
        }
        if (!waiting.isEmpty()) {
            System.err.println("ich-triage: no result or dead letter within " + wait.toSeconds() + " s for " + String.join(", ", waiting)
                    + " (not open: unknown or already completed? `ich-triage explain SERIES_UID` tells)");
            return 1;
        }
        return 0;
    }
}
