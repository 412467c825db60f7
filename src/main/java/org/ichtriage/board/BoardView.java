package org.ichtriage.board;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import com.fasterxml.jackson.annotation.JsonProperty;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.ichtriage.Topics;
import org.ichtriage.events.DeadLetter;
import org.ichtriage.events.EventJson;
import org.ichtriage.events.ForwardingStatus;
import org.ichtriage.events.OutputHeaders;
import org.ichtriage.events.ResultEvent;
import org.ichtriage.events.SkippedSeries;
import org.ichtriage.events.StudyVerdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the board shows, built by one consumer that reads the result, dead-letter, forwarding and
 * SEG topics from their beginning: a restart rebuilds it from Kafka alone, and it never commits offsets
 * (no consumer group), so it moves nobody's position. Bounded: the newest {@code maxSeries} series are kept.
 */
public final class BoardView implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BoardView.class);
    private static final List<String> TOPICS = List.of(Topics.RESULTS, Topics.DEADLETTER, Topics.FORWARDING, Topics.SEG, Topics.SKIPPED, Topics.STUDY_RESULTS);
    private static final int MAX_DEAD_LETTERS = 1000;

    /** Where a derived object of a result lies on ich.seg.v1, so that the page can show it without a search. */
    public record OutputRecord(@JsonProperty("kind") String kind, @JsonProperty("sop_instance_uid") String sopInstanceUid,
                               @JsonProperty("partition") int partition, @JsonProperty("offset") long offset) {}

    /** One volume measurement of a patient, for the volume-over-time chart. */
    public record HistoryPoint(@JsonProperty("time") String time, @JsonProperty("volume_ml") double volumeMl,
                               @JsonProperty("series_instance_uid") String seriesInstanceUid,
                               @JsonProperty("event_id") String eventId,
                               @JsonProperty("accession_number") String accessionNumber) {}

    /** A dead letter with its coordinates on ich.deadletter.v1. */
    public record DeadLetterEntry(@JsonProperty("dead_letter") DeadLetter deadLetter,
                                  @JsonProperty("partition") int partition, @JsonProperty("offset") long offset) {}

    /** Everything the study page needs of one series, as of now. */
    public record SeriesSnapshot(ResultEvent latest, List<ResultEvent> revisions, long resultTimestampMs,
                                 List<ForwardingStatus> forwarding, List<OutputRecord> outputs, List<DeadLetterEntry> deadLetters) {}

    private static final class SeriesState {
        final List<ResultEvent> revisions = new ArrayList<>();
        long resultTimestampMs;
        final List<ForwardingStatus> forwarding = new ArrayList<>();
        final Map<String, List<OutputRecord>> outputsByEvent = new HashMap<>();
        final List<DeadLetterEntry> deadLetters = new ArrayList<>();

        ResultEvent latest() {
            return revisions.isEmpty() ? null : revisions.get(revisions.size() - 1);
        }
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final int maxSeries;
    private final Map<String, SeriesState> series = new LinkedHashMap<>();
    private final Deque<DeadLetterEntry> deadLetters = new ArrayDeque<>();
    private final Deque<SkippedSeries> skipped = new ArrayDeque<>();
    /** The latest verdict of each study, by Study Instance UID; bounded with the series. */
    private final Map<String, StudyVerdict> studyVerdicts = new LinkedHashMap<>();
    private final List<Consumer<WorklistRow>> listeners = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile Map<TopicPartition, Long> catchUpTo;
    private volatile boolean caughtUp;
    private volatile boolean running = true;
    private volatile String failure;

    private BoardView(Properties kafkaClient, int maxSeries) {
        Properties p = new Properties();
        p.putAll(kafkaClient);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_MESSAGE_BYTES);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.maxSeries = maxSeries;
        this.thread = new Thread(this::run, "board-view");
        this.thread.setDaemon(true);
    }

    public static BoardView start(Properties kafkaClient, int maxSeries) {
        BoardView v = new BoardView(kafkaClient, maxSeries);
        v.thread.start();
        return v;
    }

    private void run() {
        try {
            List<TopicPartition> parts = new ArrayList<>();
            for (String topic : TOPICS) {
                consumer.partitionsFor(topic, Duration.ofSeconds(30))
                        .forEach(i -> parts.add(new TopicPartition(i.topic(), i.partition())));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            catchUpTo = consumer.endOffsets(parts);
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    try {
                        apply(r);
                    } catch (RuntimeException unreadable) {
                        // one bad record must not blind the board to every later one
                        log.warn("board: skipped unreadable record {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), unreadable.getMessage());
                    }
                }
                if (!caughtUp) {
                    caughtUp = catchUpTo.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
                }
            }
        } catch (WakeupException stopping) {
            // close() asked the poll to return
        } catch (RuntimeException e) {
            failure = e.toString();
            log.error("board view stopped: {}", e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void apply(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null || r.key() == null) {
            return;
        }
        WorklistRow changed = null;
        synchronized (this) {
            switch (r.topic()) {
                case Topics.RESULTS -> {
                    ResultEvent e = EventJson.fromBytes(r.value(), ResultEvent.class);
                    SeriesState s = stateOf(e.seriesInstanceUid());
                    s.revisions.add(e);
                    s.resultTimestampMs = r.timestamp();
                    changed = rowOf(s);
                }
                case Topics.DEADLETTER -> {
                    DeadLetter d = EventJson.fromBytes(r.value(), DeadLetter.class);
                    DeadLetterEntry entry = new DeadLetterEntry(d, r.partition(), r.offset());
                    deadLetters.addLast(entry);
                    if (deadLetters.size() > MAX_DEAD_LETTERS) {
                        deadLetters.removeFirst();
                    }
                    stateOf(r.key()).deadLetters.add(entry);
                    changed = deadLetterRow(entry);
                }
                case Topics.FORWARDING -> {
                    ForwardingStatus f = EventJson.fromBytes(r.value(), ForwardingStatus.class);
                    SeriesState s = stateOf(r.key());
                    s.forwarding.add(f);
                    changed = s.latest() == null ? null : rowOf(s);
                }
                case Topics.SKIPPED -> {
                    skipped.addLast(EventJson.fromBytes(r.value(), SkippedSeries.class));
                    if (skipped.size() > MAX_DEAD_LETTERS) {
                        skipped.removeFirst();
                    }
                }
                case Topics.STUDY_RESULTS -> {
                    StudyVerdict v = EventJson.fromBytes(r.value(), StudyVerdict.class);
                    studyVerdicts.remove(v.studyInstanceUid());
                    studyVerdicts.put(v.studyInstanceUid(), v);
                    while (studyVerdicts.size() > maxSeries) {
                        studyVerdicts.remove(studyVerdicts.keySet().iterator().next());
                    }
                    // the deciding series' row now shows the study's verdict
                    SeriesState deciding = series.get(v.decidingSeries().seriesInstanceUid());
                    changed = deciding == null || deciding.latest() == null ? null : rowOf(deciding);
                }
                case Topics.SEG -> {
                    String eventId = header(r, OutputHeaders.EVENT_ID_HEADER);
                    if (eventId != null) {
                        stateOf(r.key()).outputsByEvent.computeIfAbsent(eventId, k -> new ArrayList<>())
                                .add(new OutputRecord(header(r, OutputHeaders.KIND_HEADER),
                                        header(r, OutputHeaders.SOP_INSTANCE_UID_HEADER), r.partition(), r.offset()));
                    }
                }
                default -> { }
            }
        }
        if (changed != null && caughtUp) {
            for (Consumer<WorklistRow> l : listeners) {
                l.accept(changed);
            }
        }
    }

    private SeriesState stateOf(String seriesUid) {
        SeriesState s = series.remove(seriesUid);
        if (s == null) {
            s = new SeriesState();
        }
        series.put(seriesUid, s); // re-inserted: the map's order is the order of last change, oldest first
        while (series.size() > maxSeries) {
            series.remove(series.keySet().iterator().next());
        }
        return s;
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private WorklistRow rowOf(SeriesState s) {
        ResultEvent e = s.latest();
        WorklistRow row = WorklistRow.of(e, e.createdAt(), progressOf(s).text());
        StudyVerdict v = e.studyInstanceUid() == null ? null : studyVerdicts.get(e.studyInstanceUid());
        return v == null ? row : row.withStudy(new WorklistRow.StudyContext(v.triageCategory(), v.series().size(),
                e.seriesInstanceUid().equals(v.decidingSeries().seriesInstanceUid())));
    }

    private static WorklistRow deadLetterRow(DeadLetterEntry entry) {
        return WorklistRow.of(entry.deadLetter(), "deadletter:" + entry.partition() + ":" + entry.offset());
    }

    /** How the derived objects of the latest event fared, per object and destination. */
    record ForwardingProgress(boolean configured, int sent, int failed, int expected) {
        int pending() {
            return configured ? Math.max(0, expected - sent - failed) : 0;
        }

        /** "not configured", "pending 1/3", "sent 3/3" or "failed 1 of 3". */
        String text() {
            if (!configured) {
                return "not configured";
            }
            if (failed > 0) {
                return "failed " + failed + " of " + expected;
            }
            return (sent >= expected ? "sent " : "pending ") + sent + "/" + expected;
        }
    }

    static ForwardingProgress forwardingProgress(ResultEvent e, List<ForwardingStatus> statuses, List<OutputRecord> outputs) {
        if (e.forwarding() == null || ResultEvent.ForwardingState.NOT_CONFIGURED.name().equals(e.forwarding().status())) {
            return new ForwardingProgress(false, 0, 0, 0);
        }
        int objects = (e.seg() != null && !e.seg().empty() ? 1 : 0)
                + (e.keyImageSopInstanceUids() == null ? 0 : e.keyImageSopInstanceUids().size());
        int expected = Math.max(objects, outputs.size()) * Math.max(1, e.forwarding().destinations().size());
        Map<String, ForwardingStatus.Status> last = new HashMap<>();
        for (ForwardingStatus f : statuses) {
            if (e.eventId().equals(f.eventId())) {
                last.put(f.sopInstanceUid() + " " + f.destination(), f.status());
            }
        }
        int sent = (int) last.values().stream().filter(st -> st == ForwardingStatus.Status.SENT).count();
        int failed = (int) last.values().stream().filter(st -> st == ForwardingStatus.Status.FAILED).count();
        return new ForwardingProgress(true, sent, failed, expected);
    }

    private static ForwardingProgress progressOf(SeriesState s) {
        ResultEvent e = s.latest();
        return forwardingProgress(e, s.forwarding, s.outputsByEvent.getOrDefault(e.eventId(), List.of()));
    }

    /** The worklist, most urgent first, newest first within a priority. */
    public synchronized List<WorklistRow> worklist() {
        List<WorklistRow> rows = new ArrayList<>();
        for (SeriesState s : series.values()) {
            if (s.latest() != null) {
                rows.add(rowOf(s));
            }
        }
        for (DeadLetterEntry d : deadLetters) {
            rows.add(deadLetterRow(d));
        }
        rows.sort(WORKLIST_ORDER);
        return rows;
    }

    static final Comparator<WorklistRow> WORKLIST_ORDER = Comparator.comparing(WorklistRow::priority)
            .thenComparing(WorklistRow::time, Comparator.nullsLast(Comparator.<String>naturalOrder()).reversed());

    public synchronized Optional<SeriesSnapshot> series(String seriesUid) {
        SeriesState s = series.get(seriesUid);
        if (s == null) {
            return Optional.empty();
        }
        ResultEvent latest = s.latest();
        List<OutputRecord> outputs = latest == null ? List.of() : List.copyOf(s.outputsByEvent.getOrDefault(latest.eventId(), List.of()));
        return Optional.of(new SeriesSnapshot(latest, List.copyOf(s.revisions), s.resultTimestampMs, List.copyOf(s.forwarding),
                outputs, List.copyOf(s.deadLetters)));
    }

    /** The latest volume of every series of this patient (by patient key, never by name), oldest first. */
    public synchronized List<HistoryPoint> history(String patientKey) {
        List<HistoryPoint> points = new ArrayList<>();
        if (patientKey == null) {
            return points;
        }
        for (Map.Entry<String, SeriesState> e : series.entrySet()) {
            ResultEvent r = e.getValue().latest();
            if (r != null && r.patient() != null && patientKey.equals(r.patient().key())) {
                String time = r.studyTime() != null ? r.studyTime() : r.createdAt();
                points.add(new HistoryPoint(time, r.volume().ml(), r.seriesInstanceUid(), r.eventId(), r.accessionNumber()));
            }
        }
        points.sort(Comparator.comparing(HistoryPoint::time));
        return points;
    }

    public synchronized List<DeadLetterEntry> deadLetters() {
        List<DeadLetterEntry> out = new ArrayList<>(deadLetters);
        java.util.Collections.reverse(out);
        return out;
    }

    /** The latest verdict of the study, when the study stage has given one. */
    public synchronized Optional<StudyVerdict> studyVerdict(String studyInstanceUid) {
        return Optional.ofNullable(studyInstanceUid == null ? null : studyVerdicts.get(studyInstanceUid));
    }

    /** Series the selection rules did not analyse, newest first. */
    public synchronized List<SkippedSeries> skipped() {
        List<SkippedSeries> out = new ArrayList<>(skipped);
        java.util.Collections.reverse(out);
        return out;
    }

    /** Objects of the latest results that are not yet delivered everywhere (the PACS forwarding backlog). */
    public synchronized int forwardingBacklog() {
        int backlog = 0;
        for (SeriesState s : series.values()) {
            if (s.latest() != null) {
                backlog += progressOf(s).pending();
            }
        }
        return backlog;
    }

    public void addListener(Consumer<WorklistRow> listener) {
        listeners.add(listener);
    }

    public void removeListener(Consumer<WorklistRow> listener) {
        listeners.remove(listener);
    }

    /** Null when the board shows everything that was on the topics at its start, else why not. */
    public String notReadyReason() {
        if (failure != null) {
            return "board view stopped: " + failure;
        }
        return caughtUp ? null : "board loading the topics";
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
