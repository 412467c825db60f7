package org.ichtriage.audit;

import org.ichtriage.Topics;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.ichtriage.config.IchConfig;
import org.ichtriage.inference.ModelException;
import org.ichtriage.inference.SegmentationModel;
import org.ichtriage.pipeline.PipelineRunner;
import org.ichtriage.pipeline.PipelineSettings;
import org.ichtriage.pipeline.SeriesAssemblyProcessor;
import org.ichtriage.pipeline.StreamLimits;
import org.ichtriage.analysis.TriageAnalyzer;
import org.ichtriage.pipeline.TriageTopology;
import org.ichtriage.events.DeadLetter;
import org.ichtriage.events.EventJson;
import org.ichtriage.analysis.ExpansionAssessor;
import org.ichtriage.events.ResultEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import org.ichtriage.kafka.KafkaConnection;
import org.ichtriage.kafka.TopicCatalog;
import org.ichtriage.kafka.TopicReader;
import org.ichtriage.service.WorkerAssembly;
import org.ichtriage.UserError;

/**
 * Re-runs the worker topology on a time range of ich.instances.v1 (docs/decisions/replay.md): the
 * range is copied to a temporary input topic, each series is closed by a force-complete control
 * record, a Kafka Streams app with a fresh application id writes to ich.results.replay.v1, and the
 * new results are compared with the originals on ich.results.v1.
 */
public final class Replay {
    private static final Logger log = LoggerFactory.getLogger(Replay.class);

    /** @param seriesUid empty: every series in the range */
    public record Request(Instant from, Instant to, Optional<String> seriesUid, long timeoutMs) {}

    public record Outcome(String applicationId, List<ReplayComparison> comparisons, List<String> replayedEvents) {
        public boolean allMatch() {
            return !comparisons.isEmpty() && comparisons.stream().allMatch(c -> c.verdict() == ReplayComparison.Verdict.MATCH);
        }
    }

    private final IchConfig config;
    private final KafkaConnection kafka;
    private final PrintStream out;

    /** @param config the replay's configuration; pipeline.application-id is replaced by a fresh one */
    public Replay(IchConfig config, KafkaConnection kafka, PrintStream out) {
        this.config = config;
        this.kafka = kafka;
        this.out = out;
    }

    public Outcome run(Request request) throws InterruptedException, TimeoutException, IOException {
        String stamp = Long.toString(System.currentTimeMillis());
        String appId = "ich-triage-replay-" + stamp;
        String inputTopic = "ich.replay-input." + stamp;
        List<ConsumerRecord<String, byte[]>> range;
        Map<TopicPartition, Long> replayEnds;
        try (TopicReader reader = new TopicReader(kafka)) {
            range = reader.readTimeRange(Topics.INSTANCES, request.from().toEpochMilli(), request.to().toEpochMilli(),
                    r -> r.key() != null && r.headers().lastHeader(SeriesAssemblyProcessor.CONTROL_HEADER) == null
                            && request.seriesUid().map(r.key()::equals).orElse(true));
            replayEnds = reader.endOffsets(Topics.RESULTS_REPLAY);
        }
        Set<String> series = new LinkedHashSet<>();
        range.forEach(r -> series.add(r.key()));
        out.printf("replay %s: %d instance records of %d series on %s between %s and %s%n", appId, range.size(), series.size(),
                Topics.INSTANCES, request.from(), request.to());
        if (series.isEmpty()) {
            return new Outcome(appId, List.of(), List.of());
        }
        IchConfig.Pipeline p = config.pipeline();
        // Completion comes from the force-complete records; the gap only guards against a series whose control record is lost.
        StreamLimits limits = new StreamLimits(Math.max(p.completionGapMs(), 600_000L), p.maxSlices(), p.maxSeriesBytes(),
                Math.max(p.maxOpenSeries(), series.size()), 3_600_000L, 0, 0, p.maxAnalysisAttempts());
        IchConfig.Expansion e = config.expansion();
        PipelineSettings settings = PipelineSettings.replay(limits, appId, inputTopic, Topics.RESULTS_REPLAY,
                new ExpansionAssessor(e.windowHours(), e.absoluteMl(), e.relative()));
        Path stateDir = Files.createTempDirectory("ich-replay-");
        try (Admin admin = kafka.admin()) {
            TopicCatalog.ensure(admin, List.of(
                    new TopicCatalog.TopicSpec(inputTopic, 1, config.topics().replicationFactor(), Map.of(
                            "max.message.bytes", Integer.toString(Topics.MAX_MESSAGE_BYTES))),
                    TopicCatalog.stagingSpec(settings.stagingTopic(), config.topics())));
            try {
                copy(range, series, inputTopic);
                return runAndCompare(appId, settings, stateDir, series, replayEnds, request.timeoutMs());
            } finally {
                deleteTopics(admin, appId, inputTopic, settings.stagingTopic());
                deleteTree(stateDir);
            }
        }
    }

    private void copy(List<ConsumerRecord<String, byte[]>> range, Set<String> series, String inputTopic) throws InterruptedException {
        Properties pp = kafka.clientProperties();
        pp.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES);
        // Not idempotent, on purpose: the input topic is brand new, and when the first write to a new partition gets
        // NOT_LEADER_OR_FOLLOWER while later batches land, an idempotent producer retries that first batch with
        // OUT_OF_ORDER_SEQUENCE_NUMBER until delivery.timeout.ms (120 s) and then fails it (seen in ReplayIT, Kafka 4.4).
        // TopicCatalog.ensure now waits for the leader, so this is the second guard, for a broker that refuses that wait.
        // A plain retry may reorder or, rarely, duplicate an instance; neither matters, because the processor keys
        // instances by SOP Instance UID and every write is confirmed before the force-complete records go out.
        pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer())) {
            writeInput(producer, range, series, inputTopic);
        }
    }

    /**
     * One partition: every instance record of the range, then each series' force-complete record.
     * Every write is confirmed, and an instance whose write failed is written again before any
     * control record: a series closed without one of its instances would answer for less input than
     * the original, a MISMATCH that is the copy's fault, not the model's. The order of a series'
     * instances does not matter (they are keyed by SOP Instance UID); only that all come before its
     * control record.
     */
    static void writeInput(Producer<String, byte[]> producer, List<ConsumerRecord<String, byte[]>> range, Set<String> series,
                           String inputTopic) throws InterruptedException {
        List<ProducerRecord<String, byte[]>> pending = new ArrayList<>();
        range.sort(java.util.Comparator.comparingLong(ConsumerRecord<String, byte[]>::timestamp));
        for (ConsumerRecord<String, byte[]> r : range) {
            Long timestamp = r.timestamp() >= 0 ? r.timestamp() : null; // a record of an old message format has none
            pending.add(new ProducerRecord<>(inputTopic, 0, timestamp, r.key(), r.value(), r.headers()));
        }
        for (int attempt = 1; !pending.isEmpty(); attempt++) {
            Map<ProducerRecord<String, byte[]>, Exception> failed = sendAll(producer, pending);
            if (failed.isEmpty()) {
                break;
            }
            var first = failed.entrySet().iterator().next();
            if (attempt == COPY_ATTEMPTS) {
                throw new UserError("replay: " + failed.size() + " instance record(s) could not be copied to " + inputTopic
                        + " in " + COPY_ATTEMPTS + " attempts, e.g. series " + first.getKey().key() + ": " + first.getValue());
            }
            log.warn("replay: {} instance record(s) not copied to {} (e.g. {}); writing them again", failed.size(), inputTopic,
                    first.getValue().toString());
            pending = new ArrayList<>(failed.keySet());
        }
        List<ProducerRecord<String, byte[]>> controls = new ArrayList<>();
        for (String s : series) {
            RecordHeaders h = new RecordHeaders();
            h.add(SeriesAssemblyProcessor.CONTROL_HEADER, SeriesAssemblyProcessor.FORCE_COMPLETE.getBytes(StandardCharsets.UTF_8));
            controls.add(new ProducerRecord<>(inputTopic, 0, null, s, null, h));
        }
        Map<ProducerRecord<String, byte[]>, Exception> failed = sendAll(producer, controls);
        if (!failed.isEmpty()) {
            // the series' gap (at least 10 minutes in a replay) would still close them, but the user should know why it is slow
            throw new UserError("replay: the force-complete record of series " + failed.keySet().iterator().next().key()
                    + " could not be written to " + inputTopic + ": " + failed.values().iterator().next());
        }
    }

    private static final int COPY_ATTEMPTS = 3;

    /** Sends, flushes, and returns the records whose write failed, with why. */
    private static Map<ProducerRecord<String, byte[]>, Exception> sendAll(Producer<String, byte[]> producer,
                                                                         List<ProducerRecord<String, byte[]>> records)
            throws InterruptedException {
        Map<ProducerRecord<String, byte[]>, Future<RecordMetadata>> sent = new LinkedHashMap<>();
        for (ProducerRecord<String, byte[]> r : records) {
            sent.put(r, producer.send(r));
        }
        producer.flush();
        Map<ProducerRecord<String, byte[]>, Exception> failed = new LinkedHashMap<>();
        for (var e : sent.entrySet()) {
            try {
                e.getValue().get();
            } catch (ExecutionException ex) {
                failed.put(e.getKey(), ex.getCause() instanceof Exception cause ? cause : ex);
            }
        }
        return failed;
    }

    private Outcome runAndCompare(String appId, PipelineSettings settings, Path stateDir, Set<String> series,
                                  Map<TopicPartition, Long> replayStart, long timeoutMs) throws InterruptedException {
        SegmentationModel model;
        try {
            model = WorkerAssembly.openModel(config);
        } catch (ModelException ex) {
            throw new UserError("model.path: " + ex.getMessage());
        }
        out.printf("model %s %s (sha256 %s) on %s%n", model.card().name(), model.card().version(), model.modelSha256(), model.provider());
        Map<String, ResultEvent> replayed = new LinkedHashMap<>();
        Map<String, DeadLetter> refused = new LinkedHashMap<>();
        List<String> raw = new ArrayList<>();
        var post = WorkerAssembly.postprocessConfig(config);
        // the worker's analyzer, but its events name the replay's application id in their provenance
        try {
            return replayWith(model, post, appId, settings, stateDir, series, replayStart, timeoutMs, replayed, refused, raw);
        } finally {
            try {
                model.close(); // idempotent; the analyzer may have closed it already
            } catch (ModelException e) {
                out.println("warning: closing the model: " + e.getMessage());
            }
        }
    }

    private Outcome replayWith(SegmentationModel model, org.ichtriage.inference.PostprocessConfig post, String appId,
                               PipelineSettings settings, Path stateDir, Set<String> series, Map<TopicPartition, Long> replayStart,
                               long timeoutMs, Map<String, ResultEvent> replayed, Map<String, DeadLetter> refused, List<String> raw)
            throws InterruptedException {
        // a replay forwards nothing: its events say NOT_CONFIGURED, as they always did
        try (TriageAnalyzer analyzer = WorkerAssembly.analyzer(config, () -> new org.ichtriage.inference.VolumeSegmenter(model, post),
                appId, List.of());
             PipelineRunner runner = new PipelineRunner(TriageTopology.build(analyzer, settings), kafka.clientProperties(),
                     appId, stateDir, 1, config.topics().replicationFactor()).start();
             TopicReader reader = new TopicReader(kafka)) {
            long deadline = System.currentTimeMillis() + timeoutMs;
            Map<TopicPartition, Long> from = new LinkedHashMap<>(replayStart);
            while (replayed.size() + refused.size() < series.size()) {
                if (System.currentTimeMillis() > deadline) {
                    throw new UserError("replay " + appId + " timed out after " + timeoutMs + " ms with "
                            + (replayed.size() + refused.size()) + " of " + series.size() + " series done (pipeline " + runner.state() + ")");
                }
                Thread.sleep(250);
                Map<TopicPartition, Long> to = reader.endOffsets(Topics.RESULTS_REPLAY);
                for (ConsumerRecord<String, byte[]> r : reader.read(from, to, r -> r.value() != null)) {
                    JsonNode node = EventJson.fromBytes(r.value(), JsonNode.class);
                    String schema = node.path("schema").asText();
                    if (ResultEvent.SCHEMA.equals(schema)) {
                        ResultEvent ev = EventJson.fromBytes(r.value(), ResultEvent.class);
                        if (appId.equals(ev.provenance().applicationId()) && series.contains(ev.seriesInstanceUid())) {
                            replayed.put(ev.seriesInstanceUid(), ev);
                            raw.add(new String(r.value(), StandardCharsets.UTF_8));
                        }
                    } else if (DeadLetter.SCHEMA.equals(schema)) {
                        DeadLetter dl = EventJson.fromBytes(r.value(), DeadLetter.class);
                        if (settings.inputTopic().equals(dl.sourceTopic()) && series.contains(dl.seriesInstanceUid())) {
                            refused.put(dl.seriesInstanceUid(), dl);
                        }
                    }
                }
                from = to;
            }
        }
        return new Outcome(appId, compare(series, replayed, refused), raw);
    }

    private List<ReplayComparison> compare(Set<String> series, Map<String, ResultEvent> replayed, Map<String, DeadLetter> refused) {
        Map<String, List<ResultEvent>> originals = new LinkedHashMap<>();
        try (TopicReader reader = new TopicReader(kafka)) {
            for (ConsumerRecord<String, byte[]> r : reader.readAll(Topics.RESULTS, r -> r.key() != null && series.contains(r.key()))) {
                ResultEvent ev = EventJson.fromBytes(r.value(), ResultEvent.class);
                originals.computeIfAbsent(ev.seriesInstanceUid(), k -> new ArrayList<>()).add(ev);
            }
        }
        List<ReplayComparison> out = new ArrayList<>();
        for (String s : series) {
            ResultEvent original = original(originals.getOrDefault(s, List.of()), replayed.get(s));
            ReplayComparison c = refused.containsKey(s) ? ReplayComparison.refused(s, refused.get(s), original)
                    : original == null ? ReplayComparison.noOriginal(replayed.get(s))
                    : ReplayComparison.compare(original, replayed.get(s));
            out.add(c);
            print(c, original, replayed.get(s));
        }
        long matches = out.stream().filter(c -> c.verdict() == ReplayComparison.Verdict.MATCH).count();
        this.out.printf("%d of %d series MATCH%n", matches, out.size());
        return out;
    }

    /** The original revision with the same input, else the latest revision of the series. */
    private static ResultEvent original(List<ResultEvent> revisions, ResultEvent replayed) {
        if (revisions.isEmpty()) {
            return null;
        }
        if (replayed != null) {
            for (ResultEvent r : revisions) {
                if (r.provenance().inputDigest().equals(replayed.provenance().inputDigest())) {
                    return r;
                }
            }
        }
        return revisions.stream().max(java.util.Comparator.comparingInt(ResultEvent::revision)).orElseThrow();
    }

    private void print(ReplayComparison c, ResultEvent original, ResultEvent replayed) {
        out.printf("%s %s", c.verdict(), c.seriesInstanceUid());
        if (original != null && replayed != null) {
            out.printf(" original %s rev %d %.3f mL -> replay %s %.3f mL", original.eventId(), original.revision(),
                    original.volume().ml(), replayed.eventId(), replayed.volume().ml());
        }
        out.println();
        c.differences().forEach(d -> out.println("  " + d));
    }

    /** The temporary input, the staging topic and the app's changelogs: replayed slices must not outlive the replay. */
    private static void deleteTopics(Admin admin, String appId, String... more) {
        try {
            Set<String> doomed = new LinkedHashSet<>(List.of(more));
            for (String t : admin.listTopics().names().get(30, TimeUnit.SECONDS)) {
                if (t.startsWith(appId + "-")) {
                    doomed.add(t);
                }
            }
            admin.deleteTopics(doomed).all().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException ex) {
            log.warn("could not delete the replay's temporary topics of {}: {}", appId, ex.toString());
        }
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ex) {
            log.warn("could not remove {}: {}", dir, ex.toString());
        }
    }
}
