package org.ichtriage.cli;

import org.ichtriage.Topics;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.ichtriage.config.IchConfig;
import org.ichtriage.pipeline.SeriesAssemblyProcessor;
import org.ichtriage.events.DeadLetter;
import org.ichtriage.events.EventJson;
import org.ichtriage.events.ResultEvent;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import org.ichtriage.kafka.KafkaConnection;
import org.ichtriage.kafka.TopicReader;

@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Tell, from Kafka alone, what happened to one series: its instance records (headers only, never pixel",
                "data), every result revision, dead letters, SEG and key-image records, and a summary of the decision."},
        footer = {"", "Examples:", "  ich-triage explain 1.2.826.0.1.3680043.2.1125.1",
                "  ich-triage explain 1.2.826.0.1.3680043.2.1125.1 --bootstrap-servers kafka-1:9092"})
final class ExplainCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions options;

    @Parameters(index = "0", paramLabel = "SERIES_UID", description = "Series Instance UID")
    String series;

    @Override
    public Integer call() {
        IchConfig config = options.load(Map.of());
        explain(KafkaConnection.answering(config.kafka()), series, System.out);
        return 0;
    }

    /** Prints the series' story; topics are keyed by Series Instance UID, so a key filter finds every record. */
    static void explain(KafkaConnection kafka, String series, PrintStream out) {
        try (TopicReader reader = new TopicReader(kafka)) {
            out.println("series " + series);
            List<ConsumerRecord<String, byte[]>> instances = reader.readAll(Topics.INSTANCES, r -> series.equals(r.key()));
            out.println(Topics.INSTANCES + ": " + instances.size() + " records");
            int forced = 0;
            for (ConsumerRecord<String, byte[]> r : instances) {
                Header control = r.headers().lastHeader(SeriesAssemblyProcessor.CONTROL_HEADER);
                forced += control != null ? 1 : 0;
                out.printf("  instance p%d@%d %s %s %s%n", r.partition(), r.offset(), Instant.ofEpochMilli(r.timestamp()),
                        headers(r), r.value() == null ? "(no value)" : r.value().length + " bytes");
            }
            List<ResultEvent> results = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> r : reader.readAll(Topics.RESULTS, r -> series.equals(r.key()))) {
                ResultEvent e = EventJson.fromBytes(r.value(), ResultEvent.class);
                results.add(e);
                out.printf("  result p%d@%d %s event %s revision %d completion %s volume %.3f mL [%.3f, %.3f] flags ich_detected=%s large_volume=%s high_uncertainty=%s needs_review=%s model %s %s forwarding %s%n",
                        r.partition(), r.offset(), Instant.ofEpochMilli(r.timestamp()), e.eventId(), e.revision(),
                        e.provenance().completionReason(), e.volume().ml(), e.volume().intervalMl().low(), e.volume().intervalMl().high(),
                        e.flags().ichDetected(), e.flags().largeVolume(), e.flags().highUncertainty(), e.flags().needsReview(),
                        e.model().name(), e.model().version(), e.forwarding() == null ? "-" : e.forwarding().status());
                if (e.expansion() != null) {
                    out.printf("    expansion %s: %+.3f mL over %.1f h since event %s%n", e.expansion().hematomaExpansion(),
                            e.expansion().absoluteChangeMl(), e.expansion().hoursBetween(), e.expansion().previousEventId());
                }
            }
            List<DeadLetter> dead = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> r : reader.readAll(Topics.DEADLETTER, r -> series.equals(r.key()))) {
                DeadLetter d = EventJson.fromBytes(r.value(), DeadLetter.class);
                dead.add(d);
                out.printf("  deadletter p%d@%d %s stage %s reason %s: %s%n", r.partition(), r.offset(),
                        Instant.ofEpochMilli(r.timestamp()), d.stage(), d.reason(), d.detail());
            }
            List<org.ichtriage.events.SkippedSeries> skipped = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> r : reader.readAll(Topics.SKIPPED, r -> series.equals(r.key()))) {
                org.ichtriage.events.SkippedSeries k = EventJson.fromBytes(r.value(), org.ichtriage.events.SkippedSeries.class);
                skipped.add(k);
                out.printf("  skipped p%d@%d %s revision %d reason %s: %s%n", r.partition(), r.offset(),
                        Instant.ofEpochMilli(r.timestamp()), k.revision(), k.reason(), k.detail());
            }
            for (ConsumerRecord<String, byte[]> r : reader.readAll(Topics.SEG, r -> series.equals(r.key()))) {
                out.printf("  seg p%d@%d %s %s %d bytes%n", r.partition(), r.offset(), Instant.ofEpochMilli(r.timestamp()),
                        headers(r), r.value() == null ? 0 : r.value().length);
            }
            java.util.Map<String, String> forwarding = new java.util.TreeMap<>();
            for (ConsumerRecord<String, byte[]> r : reader.readAll(Topics.FORWARDING, r -> series.equals(r.key()))) {
                org.ichtriage.events.ForwardingStatus f = EventJson.fromBytes(r.value(), org.ichtriage.events.ForwardingStatus.class);
                out.printf("  forwarding p%d@%d %s %s %s to %s: %s after %d attempt(s), DICOM status %s%n", r.partition(), r.offset(),
                        Instant.ofEpochMilli(r.timestamp()), f.kind(), f.sopInstanceUid(), f.destination(), f.status(), f.attempts(),
                        f.dicomStatus() == null ? "none" : f.dicomStatus());
                forwarding.put(f.kind() + " " + f.sopInstanceUid() + " -> " + f.destination(), f.status().name());
            }
            out.println(summary(series, instances.size() - forced, forced, results, dead));
            if (!skipped.isEmpty()) {
                org.ichtriage.events.SkippedSeries k = skipped.get(skipped.size() - 1);
                out.println("not analysed: the series selection skipped it (" + k.reason() + ": " + k.detail()
                        + "); selection.* settings say which series are read");
            }
            if (!forwarding.isEmpty()) {
                out.println("forwarding: " + forwarding.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                        .collect(java.util.stream.Collectors.joining("; ")));
            }
        }
    }

    static String summary(String series, int instanceCount, int forced, List<ResultEvent> results, List<DeadLetter> dead) {
        StringBuilder s = new StringBuilder("summary: ");
        s.append(instanceCount).append(" instances received");
        if (forced > 0) {
            s.append(" and ").append(forced).append(" force-complete record(s)");
        }
        if (!results.isEmpty()) {
            ResultEvent last = results.get(results.size() - 1);
            s.append("; completed by ").append(last.provenance().completionReason()).append(" into ").append(results.size())
                    .append(" result revision(s); the latest (revision ").append(last.revision()).append(", event ").append(last.eventId())
                    .append(") reports ").append(String.format("%.3f", last.volume().ml())).append(" mL, ich_detected=")
                    .append(last.flags().ichDetected()).append(", needs_review=").append(last.flags().needsReview())
                    .append(", forwarding ").append(last.forwarding() == null ? "unknown" : last.forwarding().status());
        }
        if (!dead.isEmpty()) {
            DeadLetter d = dead.get(dead.size() - 1);
            s.append(results.isEmpty() ? "; no result: " : "; also ").append(dead.size()).append(" dead letter(s), the last ")
                    .append(d.reason()).append(" (").append(d.detail()).append(")");
        }
        if (results.isEmpty() && dead.isEmpty()) {
            s.append(instanceCount == 0 ? "; nothing is known of this series" : "; no result or dead letter yet (still assembling, or the worker is down)");
        }
        return s.append('.').toString();
    }

    private static String headers(ConsumerRecord<String, byte[]> r) {
        StringBuilder b = new StringBuilder("{");
        for (Header h : r.headers()) {
            b.append(b.length() > 1 ? ", " : "").append(h.key()).append('=')
                    .append(h.value() == null ? "null" : new String(h.value(), StandardCharsets.UTF_8));
        }
        return b.append('}').toString();
    }
}
