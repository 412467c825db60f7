package org.ichtriage.pipeline;

import org.ichtriage.SoftwareVersion;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.ichtriage.dicom.codec.DicomException;
import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.DicomReader;
import org.ichtriage.events.DeadLetter;
import org.ichtriage.events.DeadLetterReason;
import org.ichtriage.events.DeadLetters;
import org.ichtriage.events.OutputHeaders;
import org.ichtriage.events.EventJson;
import org.ichtriage.events.ResultEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.ichtriage.analysis.CompletionReason;
import org.ichtriage.analysis.DerivedObjectWriter;
import org.ichtriage.analysis.OffsetRanges;
import org.ichtriage.analysis.ReceivedInstance;
import org.ichtriage.analysis.SeriesAnalyzer;
import org.ichtriage.analysis.SeriesBatch;
import org.ichtriage.analysis.SeriesOutcome;

/**
 * Collects the instances of each series in a persistent store and decides, on a wall-clock
 * punctuator, when a series is complete: after an inactivity gap, when Images in Acquisition
 * instances have arrived, when a contiguous stack covering a head has been quiet for a short time,
 * or on a force-complete control record. Session windows are not used
 * because they close only when a later record advances stream time.
 *
 * <p>Every input record ends in a result or a dead-letter record: nothing is dropped silently.
 */
public final class SeriesAssemblyProcessor implements Processor<String, byte[], String, byte[]> {
    private static final Logger log = LoggerFactory.getLogger(SeriesAssemblyProcessor.class);

    /** Header of a control record on the input topic; value "force-complete" closes the keyed series now. */
    public static final String CONTROL_HEADER = org.ichtriage.events.InstanceHeaders.CONTROL;
    public static final String FORCE_COMPLETE = "force-complete";
    public static final Duration PUNCTUATE_EVERY = Duration.ofMillis(250);
    /**
     * A record read within this long of its receipt means the task is caught up with its input. It
     * also absorbs the clock difference between the ingest and worker hosts (NTP keeps it far below).
     */
    static final long CAUGHT_UP_MS = 1_000;

    private final SeriesAnalyzer analyzer;
    private final StreamLimits limits;
    private final String sourceTopic;
    private final boolean emitSeg;
    private final boolean emitSkipped;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, ReceivedInstance> slices;
    private KeyValueStore<String, SeriesState> series;
    private DeadLetters deadLetters;
    private AnalysisAttempts attempts;
    /** When this task began processing here; see {@link #quietSince}. */
    private long taskStartedMs;
    /** Worker time when this task last took a record from its input. */
    private long lastRecordAtMs;
    /** How long that record had waited since the ingest received it (across two hosts' clocks). */
    private long lastRecordWaitedMs;
    /** Newest ingest receive time among the records this task has taken: how far it has read the senders' past. */
    private long receivedHighWaterMs;
    /** Where this task's input partition ends; null when the topology runs without one (a test driver that wires none). */
    private InputEnd inputEnd;
    /** This task's partition of the input topic. */
    private TopicPartition inputPartition;
    /** The offset of the last record this task took; -1 before its first record here. */
    private long lastRecordOffset = -1;
    /**
     * Worker time until which this stream thread was analysing (any of its tasks): a thread inside an
     * analysis reads nothing, so that time is not silence from the senders.
     */
    private static final ThreadLocal<long[]> THREAD_BUSY_UNTIL = ThreadLocal.withInitial(() -> new long[] {Long.MIN_VALUE});

    /**
     * @param emitSeg     false in a replay: SEG and key images are not written again
     * @param emitSkipped false in a replay: the live skip record is on ich.skipped.v1 already
     */
    public SeriesAssemblyProcessor(SeriesAnalyzer analyzer, StreamLimits limits, String sourceTopic, boolean emitSeg,
                                   boolean emitSkipped) {
        this.analyzer = analyzer;
        this.limits = limits;
        this.sourceTopic = sourceTopic;
        this.emitSeg = emitSeg;
        this.emitSkipped = emitSkipped;
    }

    @Override
    public void close() {
        OPEN_SERIES.addAndGet(-openHere);
        openHere = 0;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.slices = context.getStateStore(TriageTopology.SLICE_STORE);
        this.series = context.getStateStore(TriageTopology.SERIES_STORE);
        this.taskStartedMs = context.currentSystemTimeMs();
        this.lastRecordAtMs = taskStartedMs;
        this.inputEnd = InputEnd.Registry.of(context.applicationId()).orElse(null);
        // the assembly's only source is the instance topic, so the task's partition is the input's
        this.inputPartition = new TopicPartition(sourceTopic, context.taskId().partition());
        long[] busyUntil = THREAD_BUSY_UNTIL.get();
        if (busyUntil[0] > taskStartedMs) {
            // a mark ahead of this task's clock came from another clock (a test driver's): drop it
            busyUntil[0] = Long.MIN_VALUE;
        }
        this.deadLetters = new DeadLetters(() -> Instant.ofEpochMilli(context.currentSystemTimeMs()), SoftwareVersion.get());
        // beside the Streams state, not inside a task's folder: Streams wipes those after an unclean stop
        Object stateDir = context.appConfigs().get(StreamsConfig.STATE_DIR_CONFIG);
        this.attempts = new AnalysisAttempts(java.nio.file.Path.of(String.valueOf(stateDir)).resolve("analysis-attempts")
                .resolve(context.applicationId()), limits.maxAnalysisAttempts());
        context.schedule(PUNCTUATE_EVERY, PunctuationType.WALL_CLOCK_TIME, this::punctuate);
    }

    static String sliceKey(String seriesUid, String sopUid) {
        // UIDs hold only digits and dots, so '/' cannot occur inside either part.
        return seriesUid + "/" + sopUid;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        long now = context.currentSystemTimeMs();
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        String seriesUid = record.key();
        long receivedMs = receivedAtMs(record);
        lastRecordAtMs = now;
        lastRecordWaitedMs = now - receivedMs;
        lastRecordOffset = meta.offset();
        receivedHighWaterMs = Math.max(receivedHighWaterMs, receivedMs);
        Header control = record.headers().lastHeader(CONTROL_HEADER);
        if (control != null && FORCE_COMPLETE.equals(new String(control.value(), StandardCharsets.UTF_8))) {
            SeriesState s = seriesUid == null ? null : series.get(seriesUid);
            if (s != null && s.status() == SeriesState.Status.OPEN) {
                series.put(seriesUid, s.forced(now));
                complete(seriesUid, CompletionReason.FORCED, now);
            } else {
                log.info("force-complete for series {} ignored: no open series", seriesUid);
            }
            return;
        }
        if (seriesUid == null || record.value() == null) {
            deadLetter(DeadLetterReason.MISSING_KEY_OR_VALUE, "record without series key or value", seriesUid, null, List.of(), meta);
            return;
        }
        AssemblyFacts facts = AssemblyFacts.fromHeaders(record.headers()).orElse(null);
        if (facts == null) {
            // written by an older ingest or another producer: the dataset itself must be read
            try {
                facts = AssemblyFacts.fromDataset(DicomReader.readPart10(record.value(), DicomLimits.DEFAULT).dataset());
            } catch (DicomException | RuntimeException e) {
                deadLetter(DeadLetterReason.CORRUPT_INSTANCE, e.getMessage(), seriesUid, null, List.of(), meta);
                return;
            }
        }
        String sopUid = facts.sopInstanceUid();
        if (sopUid == null || sopUid.isEmpty() || sopUid.indexOf('/') >= 0) {
            deadLetter(DeadLetterReason.MISSING_SOP_INSTANCE_UID, "instance has no usable SOP Instance UID (0008,0018)",
                    seriesUid, null, List.of(), meta);
            return;
        }
        int expected = facts.imagesInAcquisition();
        int acquisition = facts.acquisitionNumber();

        SeriesState s = series.get(seriesUid);
        String key = sliceKey(seriesUid, sopUid);
        if (s != null && s.status() == SeriesState.Status.COMPLETED && slices.get(key) != null) {
            // A modality resending an instance we already analysed (typically after an A700 whose write did
            // land): it is part of the published result already, so it must not start a new revision.
            log.info("series {}: instance {} was already analysed in revision {}; duplicate ignored", seriesUid, sopUid, s.revision());
            Counter.builder("ich_duplicate_instances_total")
                    .description("instances received again after their series was analysed; ignored, no new revision")
                    .register(Metrics.globalRegistry).increment();
            return;
        }
        if (s == null || s.status() != SeriesState.Status.OPEN) {
            if (s != null && s.status() == SeriesState.Status.REFUSED) {
                deadLetter(DeadLetterReason.SERIES_REFUSED, "series was refused earlier; this late instance is not analysed",
                        seriesUid, s.revision(), List.of(sopUid), meta);
                return;
            }
            if (openSeriesCount() >= limits.maxOpenSeries()) {
                deadLetter(DeadLetterReason.TOO_MANY_OPEN_SERIES, "worker already assembles " + limits.maxOpenSeries()
                        + " series (pipeline.max-open-series)", seriesUid, null, List.of(sopUid), meta);
                return;
            }
            // A late slice after completion reopens the series as its next revision; the slices of the
            // earlier revision are still kept (keepClosedMs), so the new result covers the whole series.
            s = s == null ? SeriesState.open(seriesUid, 1, now) : SeriesState.open(seriesUid, s.revision() + 1, now)
                    .withRestoredCounts(s);
        }
        boolean duplicate = slices.get(key) != null;
        slices.put(key, new ReceivedInstance(sopUid, meta.partition(), meta.offset(), now, record.value()));
        s = (duplicate ? s.touched(now) : s.withInstance(now, record.value().length, expected > 0 ? expected : null,
                acquisition == Integer.MIN_VALUE ? null : acquisition, facts.positionMm(), facts.spacingMm()))
                .receivedAt(receivedMs);
        series.put(seriesUid, s);

        if (s.instanceCount() > limits.maxSlices()) {
            refuse(s, DeadLetterReason.TOO_MANY_SLICES, s.instanceCount() + " instances exceed pipeline.max-slices=" + limits.maxSlices(), now);
        } else if (s.totalBytes() > limits.maxSeriesBytes()) {
            refuse(s, DeadLetterReason.TOO_MANY_BYTES, s.totalBytes() + " bytes exceed pipeline.max-series-mb=" + (limits.maxSeriesBytes() >> 20), now);
        } else if (s.expectedCount() != null && !s.mixedAcquisitions() && s.instanceCount() >= s.expectedCount()) {
            // Images in Acquisition counts one acquisition: it completes the series only while a single one is seen.
            complete(seriesUid, CompletionReason.COUNT, now);
        }
    }

    private int openSeriesCount() {
        int n = 0;
        try (KeyValueIterator<String, SeriesState> it = series.all()) {
            while (it.hasNext()) {
                if (it.next().value.status() == SeriesState.Status.OPEN) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Open series across this process's tasks, for the backlog gauge. */
    private static final AtomicInteger OPEN_SERIES = new AtomicInteger();

    static {
        Gauge.builder("ich_pipeline_open_series", OPEN_SERIES, AtomicInteger::get)
                .description("series being assembled in this process (waiting for more instances or the completion gap)")
                .register(Metrics.globalRegistry);
    }
    private int openHere;

    private void punctuate(long now) {
        // analyses run inside this punctuation do not count: its series are judged as of its start
        long busyUntil = THREAD_BUSY_UNTIL.get()[0];
        int open = 0;
        List<KeyValue<String, SeriesState>> due = new ArrayList<>();
        try (KeyValueIterator<String, SeriesState> it = series.all()) {
            while (it.hasNext()) {
                due.add(it.next());
            }
        }
        for (KeyValue<String, SeriesState> kv : due) {
            SeriesState s = kv.value;
            if (s.status() == SeriesState.Status.OPEN) {
                open++;
                long quiet = quietMs(s, now, busyUntil);
                if (limits.earlyCompletion() && quiet >= limits.earlyQuietMs() && !s.mixedAcquisitions()
                        && s.stack().contiguous(s.instanceCount(), limits.earlyMinCoverageMm())) {
                    // evidently whole: one even stack from end to end, and the sender paused; a later slice still
                    // reopens the series as its next revision. Checked first, so that a worker busy past the gap
                    // still reports the stronger reason.
                    complete(kv.key, CompletionReason.STACK, now);
                } else if (quiet >= limits.completionGapMs()) {
                    complete(kv.key, CompletionReason.GAP, now);
                }
            } else if (now - s.closedAtMs() >= limits.keepClosedMs()) {
                purgeSlices(kv.key);
                series.delete(kv.key);
            }
        }
        OPEN_SERIES.addAndGet(open - openHere);
        openHere = open;
    }

    /**
     * A series restored from the changelog (after a failover or restart) may have its next instances
     * still waiting in the input topic: the time the task was down is not silence from the sender.
     * So the gap never counts from before this task started here.
     */
    private long quietSince(SeriesState s, long busyUntil) {
        return Math.max(Math.max(s.lastSeenMs(), taskStartedMs), busyUntil);
    }

    /**
     * How long the sender of {@code s} has been silent. In worker time, not counting time before this
     * task started or spent inside an analysis ({@link #quietSince}). And while this task is behind, at
     * most the silence in the ingest's own receive times up to the newest record read: instances waiting
     * in the topic behind a backlog were received later, so a busy worker does not close a series that
     * is still arriving. Behind means: records are known to wait in its partition, or its end is not
     * known ({@link #inputNotReadToItsEnd}), or the last record it took had waited more than
     * {@link #CAUGHT_UP_MS} since the ingest received it and it took one within {@link #drainedAfterMs}.
     * Reading nothing for a while alone does not prove the input drained: a stalled fetch (a broker
     * restarting, a rebalance) reads nothing either, while the rest of a series waits in the topic.
     */
    private long quietMs(SeriesState s, long now, long busyUntil) {
        long workerQuiet = now - quietSince(s, busyUntil);
        boolean readingABacklog = lastRecordWaitedMs > CAUGHT_UP_MS
                && now - Math.max(lastRecordAtMs, busyUntil) < drainedAfterMs();
        boolean behind = readingABacklog || inputNotReadToItsEnd();
        if (!behind || s.lastReceivedMs() <= 0) {
            return workerQuiet;
        }
        // nothing read yet here: nothing received after the series' last instance has been seen
        long receivedQuiet = receivedHighWaterMs <= 0 ? 0 : receivedHighWaterMs - s.lastReceivedMs();
        return Math.min(workerQuiet, receivedQuiet);
    }

    /**
     * Whether records wait in this task's input partition beyond its position, or whether that cannot be
     * known (the end was not looked up lately: the broker is away, and nothing new is published then
     * either). Its position: after the last record it took, or before its first one here, where the
     * group resumes the partition (a series restored after a restart may have its rest waiting there).
     * False when no end is wired (a test driver that wires none): silence is then judged as before.
     */
    private boolean inputNotReadToItsEnd() {
        if (inputEnd == null) {
            return false;
        }
        OptionalLong position = lastRecordOffset >= 0 ? OptionalLong.of(lastRecordOffset + 1) : inputEnd.committedOffset(inputPartition);
        OptionalLong end = inputEnd.endOffset(inputPartition);
        return end.isEmpty() || position.isEmpty() || position.getAsLong() < end.getAsLong();
    }

    /**
     * Reading nothing for this long after late records means the backlog is read, provided the partition's
     * known end confirms it ({@link #inputNotReadToItsEnd}): a backlog is read without pauses. With early completion on, that is its quiet time, so that a series read from a backlog
     * (the first after a start, or one that arrived during another's analysis) is not held for a whole
     * gap before its own quiet time starts counting; without it, the gap.
     */
    private long drainedAfterMs() {
        return limits.earlyCompletion() ? limits.earlyQuietMs() : limits.completionGapMs();
    }

    /** The ingest's receive time: its ich.received-at header, else the record timestamp (set by the same producer). */
    private static long receivedAtMs(Record<String, byte[]> record) {
        Header h = record.headers().lastHeader(org.ichtriage.events.InstanceHeaders.RECEIVED_AT);
        if (h != null) {
            try {
                return Instant.parse(new String(h.value(), StandardCharsets.UTF_8)).toEpochMilli();
            } catch (java.time.format.DateTimeParseException badHeader) {
                // another producer's header; the record timestamp still says when it was written
            }
        }
        return record.timestamp();
    }

    private List<ReceivedInstance> slicesOf(String seriesUid) {
        List<ReceivedInstance> out = new ArrayList<>();
        try (KeyValueIterator<String, ReceivedInstance> it = slices.prefixScan(seriesUid + "/", new StringSerializer())) {
            while (it.hasNext()) {
                out.add(it.next().value);
            }
        }
        return out;
    }

    private void purgeSlices(String seriesUid) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, ReceivedInstance> it = slices.prefixScan(seriesUid + "/", new StringSerializer())) {
            while (it.hasNext()) {
                keys.add(it.next().key);
            }
        }
        keys.forEach(slices::delete);
    }

    private void complete(String seriesUid, CompletionReason reason, long now) {
        SeriesState s = series.get(seriesUid);
        List<ReceivedInstance> instances = slicesOf(seriesUid);
        SeriesBatch batch = new SeriesBatch(seriesUid, s.revision(), reason, instances, sourceTopic);
        List<SeriesOutcome> outcomes;
        if (attempts.begin(seriesUid) instanceof AnalysisAttempts.Start.GiveUp g) {
            outcomes = List.of(refusedWhole(batch, DeadLetterReason.ANALYSIS_NOT_FINISHED, "the analysis of this series was started "
                    + g.unfinished() + " times in a row and never finished (the worker stopped inside it); not tried again, "
                    + "pipeline.max-analysis-attempts=" + attempts.maxAttempts()));
        } else {
            long started = context.currentSystemTimeMs();
            long t0 = System.nanoTime();
            outcomes = analyzeGuarded(batch);
            // the context's clock stands still inside a call; the elapsed time is measured here
            long[] busyUntil = THREAD_BUSY_UNTIL.get();
            busyUntil[0] = Math.max(busyUntil[0], started + (System.nanoTime() - t0) / 1_000_000);
        }
        attempts.finished(seriesUid);
        for (SeriesOutcome outcome : outcomes) {
            deliver(seriesUid, s, reason, instances.size(), outcome, now);
        }
        // COMPLETED also after a refusal: late slices may yet make the series analysable as a new revision.
        series.put(seriesUid, s.closed(SeriesState.Status.COMPLETED, now));
    }

    private List<SeriesOutcome> analyzeGuarded(SeriesBatch batch) {
        try {
            return analyzer.analyze(batch);
        } catch (RuntimeException e) {
            // An analyzer bug must not take the worker down or lose the series: it becomes a dead letter.
            log.error("analysis of series {} failed", batch.seriesInstanceUid(), e);
            return List.of(refusedWhole(batch, DeadLetterReason.ANALYSIS_FAILED, e.toString()));
        }
    }

    private SeriesOutcome refusedWhole(SeriesBatch batch, DeadLetterReason reason, String detail) {
        List<ReceivedInstance> instances = batch.instances();
        return new SeriesOutcome.Refused(deadLetters.of(reason, detail, batch.seriesInstanceUid(), batch.revision(),
                instances.stream().map(ReceivedInstance::sopInstanceUid).toList(), sourceTopic, OffsetRanges.of(instances)));
    }

    private void deliver(String seriesUid, SeriesState s, CompletionReason reason, int instanceCount, SeriesOutcome outcome, long now) {
        if (outcome instanceof SeriesOutcome.Analyzed a) {
            RecordHeaders headers = new RecordHeaders();
            headers.add(OutputHeaders.EVENT_ID_HEADER, a.event().eventId().getBytes(StandardCharsets.UTF_8));
            // Keyed by patient for the expansion stage; the stage keys the result by series again.
            String stagingKey = ExpansionTracker.patientKeyOf(a.event()).orElse(seriesUid);
            context.forward(new Record<>(stagingKey, EventJson.toBytes(a.event()), now, headers), TriageTopology.STAGING_SINK);
            if (emitSeg) {
                a.seg().ifPresent(seg -> forwardDerived(seriesUid, a.event().eventId(), "seg", seg, now));
                for (DerivedObjectWriter.Built keyImage : a.keyImages()) {
                    forwardDerived(seriesUid, a.event().eventId(), "key-image", keyImage, now);
                }
            }
            recordStages(a.event().timingsMs());
            // Counted when produced: a transaction aborted and re-run counts a series twice, which a rate does not mind.
            Counter.builder("ich_results_total").description("result events produced, by triage category and completion reason")
                    .tag("triage_category", String.valueOf(a.event().triageCategory())).tag("completion_reason", reason.name())
                    .register(Metrics.globalRegistry).increment();
            log.info("series {} revision {} complete ({}, {} instances): volume {} mL, ich_detected={}", seriesUid,
                    s.revision(), reason, instanceCount, String.format("%.2f", a.event().volume().ml()),
                    a.event().flags().ichDetected());
        } else if (outcome instanceof SeriesOutcome.Refused r) {
            forwardDeadLetter(seriesUid, r.deadLetter());
        } else if (outcome instanceof SeriesOutcome.Skipped k) {
            Metrics.counter("ich_skipped_series_total", "reason", k.skipped().reason()).increment();
            log.info("series {} revision {} skipped: {} ({})", seriesUid, s.revision(), k.skipped().reason(), k.skipped().detail());
            if (emitSkipped) {
                context.forward(new Record<>(seriesUid, EventJson.toBytes(k.skipped()), now), TriageTopology.SKIPPED_SINK);
            }
        }
    }

    private void refuse(SeriesState s, DeadLetterReason reason, String detail, long now) {
        List<ReceivedInstance> instances = slicesOf(s.seriesInstanceUid());
        forwardDeadLetter(s.seriesInstanceUid(), deadLetters.of(reason, detail, s.seriesInstanceUid(), s.revision(),
                instances.stream().map(ReceivedInstance::sopInstanceUid).toList(), sourceTopic, OffsetRanges.of(instances)));
        purgeSlices(s.seriesInstanceUid());
        series.put(s.seriesInstanceUid(), s.closed(SeriesState.Status.REFUSED, now));
    }

    /** A dead letter about the one input record at {@code meta}. */
    private void deadLetter(DeadLetterReason reason, String detail, String seriesUid, Integer revision, List<String> sops,
                            RecordMetadata meta) {
        forwardDeadLetter(seriesUid, deadLetters.ofRecord(reason, detail, seriesUid, revision, sops, sourceTopic,
                meta.partition(), meta.offset()));
    }

    private static void recordStages(ResultEvent.Timings t) {
        // One histogram per stage, so that /metrics shows where the minutes of a triage go.
        stage("parse", t.parse());
        stage("assembly", t.assembly());
        stage("preprocess", t.preprocess());
        stage("inference", t.inference());
        stage("postprocess", t.postprocess());
        stage("seg", t.seg());
        stage("analysis_total", t.total());
        stage("last_receive_to_result", t.lastReceiveToResult());
    }

    private static void stage(String name, long ms) {
        org.ichtriage.StageMetrics.record(name, ms, TimeUnit.MILLISECONDS);
    }

    /** A SEG or key image on ich.seg.v1, with headers naming what the forwarder needs of it. */
    private void forwardDerived(String seriesUid, String eventId, String kind, DerivedObjectWriter.Built object, long now) {
        RecordHeaders h = new RecordHeaders();
        h.add(OutputHeaders.EVENT_ID_HEADER, eventId.getBytes(StandardCharsets.UTF_8));
        h.add(OutputHeaders.KIND_HEADER, kind.getBytes(StandardCharsets.UTF_8));
        h.add(OutputHeaders.SOP_CLASS_UID_HEADER, object.sopClassUid().getBytes(StandardCharsets.UTF_8));
        h.add(OutputHeaders.SOP_INSTANCE_UID_HEADER, object.sopInstanceUid().getBytes(StandardCharsets.UTF_8));
        h.add(OutputHeaders.TRANSFER_SYNTAX_UID_HEADER, object.transferSyntaxUid().getBytes(StandardCharsets.UTF_8));
        context.forward(new Record<>(seriesUid, object.part10(), now, h), TriageTopology.SEG_SINK);
    }

    private void forwardDeadLetter(String seriesUid, DeadLetter dl) {
        Counter.builder("ich_deadletter_total").description("dead letters written by the pipeline, by typed reason and stage")
                .tag("reason", dl.reason()).tag("stage", dl.stage()).register(Metrics.globalRegistry).increment();
        log.warn("dead letter for series {}: {} ({})", seriesUid, dl.reason(), dl.detail());
        context.forward(new Record<>(seriesUid, EventJson.toBytes(dl), context.currentSystemTimeMs()), TriageTopology.DEADLETTER_SINK);
    }
}
