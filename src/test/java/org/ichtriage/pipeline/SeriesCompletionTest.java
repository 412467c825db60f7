package org.ichtriage.pipeline;

import org.ichtriage.Topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.ichtriage.phantom.CtSeriesWriter;
import org.ichtriage.events.DeadLetter;
import org.ichtriage.events.EventJson;
import org.ichtriage.events.ResultEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ichtriage.analysis.ReceivedInstance;
import org.ichtriage.analysis.SeriesAnalyzer;
import org.ichtriage.analysis.SeriesBatch;
import org.ichtriage.analysis.SeriesOutcome;
import org.ichtriage.testing.SampleEvents;

/**
 * Completion semantics of the assembly processor under a mocked wall clock. The analyzer here only
 * records what it was handed: these tests are about when and with what a series completes.
 */
class SeriesCompletionTest {
    private static final long GAP = 10_000;

    private final List<SeriesBatch> analysed = new ArrayList<>();
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> in;
    private TestOutputTopic<String, byte[]> results;
    private TestOutputTopic<String, byte[]> deadLetters;

    /** Series whose analysis takes {@link #SLOW_ANALYSIS} of real time, as a large volume on a CPU would. */
    private final java.util.Set<String> slowSeries = new java.util.HashSet<>();
    private static final Duration SLOW_ANALYSIS = Duration.ofMillis(2_000);

    private final SeriesAnalyzer recording = batch -> {
        if (slowSeries.contains(batch.seriesInstanceUid())) {
            try {
                Thread.sleep(SLOW_ANALYSIS.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        analysed.add(batch);
        return List.of(new SeriesOutcome.Analyzed(SampleEvents.negative(batch), Optional.empty(), List.of()));
    };

    /**
     * The end of the input partition as the worker's look-up reports it: by default every record piped
     * so far (the driver hands each to the processor at once, so the input is drained between pipes);
     * a test adds records written to the topic that the stalled worker has not read yet.
     */
    private final java.util.concurrent.atomic.AtomicLong piped = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong writtenNotRead = new java.util.concurrent.atomic.AtomicLong();
    /** False while the look-up fails from the start (the broker was away before it ever answered). */
    private final java.util.concurrent.atomic.AtomicBoolean endKnown = new java.util.concurrent.atomic.AtomicBoolean(true);
    private final InputEnd.Registry.Registration inputEnd = InputEnd.Registry.register("completion-test", new InputEnd() {
        @Override
        public java.util.OptionalLong endOffset(org.apache.kafka.common.TopicPartition partition) {
            return endKnown.get() ? java.util.OptionalLong.of(piped.get() + writtenNotRead.get()) : java.util.OptionalLong.empty();
        }

        @Override
        public java.util.OptionalLong committedOffset(org.apache.kafka.common.TopicPartition partition) {
            return java.util.OptionalLong.of(0); // a test driver's task starts at the partition's beginning
        }
    });

    /** Counts the records piped: the driver serializes each record's key once. */
    private final StringSerializer countingKeys = new StringSerializer() {
        @Override
        public byte[] serialize(String topic, String data) {
            piped.incrementAndGet();
            return super.serialize(topic, data);
        }
    };

    @BeforeEach
    void start() {
        startWith(new StreamLimits(GAP, 50, 64L << 20, 4, 60_000));
    }

    private void startWith(StreamLimits limits) {
        if (driver != null) {
            driver.close();
        }
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "completion-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:1");
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(TriageTopology.build(recording, limits, Topics.INSTANCES, Topics.RESULTS), p);
        piped.set(0);
        in = driver.createInputTopic(Topics.INSTANCES, countingKeys, new ByteArraySerializer());
        results = driver.createOutputTopic(Topics.RESULTS, new StringDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(Topics.DEADLETTER, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Moves the worker's wall clock and, with it, the receive time the input topic stamps on the next
     * records: a real ingest stamps each instance when it arrives.
     */
    private void advance(Duration d) {
        in.advanceTime(d);
        driver.advanceWallClockTime(d);
    }

    @AfterEach
    void stop() {
        driver.close();
        inputEnd.close();
    }

    private static List<byte[]> series(CtSeriesWriter.StudyIdentity id, int n, boolean announce) {
        List<CtSeriesWriter.HuSlice> slices = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            slices.add(new CtSeriesWriter.HuSlice(new short[16 * 16]));
        }
        return CtSeriesWriter.write(id, slices, 16, 16, 1.0, 5.0, announce);
    }

    private void send(String series, List<byte[]> instances) {
        for (byte[] b : instances) {
            in.pipeInput(series, b);
        }
    }

    @Test
    void completesAfterInactivityGapOnWallClockWithoutFurtherRecords() {
        var id = CtSeriesWriter.StudyIdentity.random("P1");
        send(id.seriesInstanceUid(), series(id, 5, false));
        advance(Duration.ofMillis(GAP - 1000));
        assertTrue(results.isEmpty(), "not complete before the gap");
        advance(Duration.ofMillis(1500));
        ResultEvent e = EventJson.fromBytes(results.readValue(), ResultEvent.class);
        assertEquals(5, e.provenance().instanceCount());
        assertEquals("GAP", e.provenance().completionReason());
        assertEquals(1, e.revision());
        assertTrue(results.isEmpty(), "exactly one result");
    }

    @Test
    void seriesRestoredFromTheChangelogGetsAFullGapForItsWaitingInstances() throws Exception {
        // As after a failover: the store already holds half a series whose last instance was seen long
        // before this task started; the other half is still waiting in the input topic.
        var id = CtSeriesWriter.StudyIdentity.random("P9");
        List<byte[]> all = series(id, 8, false);
        long longAgo = System.currentTimeMillis() - 10 * GAP;
        restoreFirstHalf(id.seriesInstanceUid(), all, longAgo, false);

        advance(Duration.ofMillis(GAP / 2));
        assertTrue(results.isEmpty(), "the time the task was away is not a gap in the series");
        send(id.seriesInstanceUid(), all.subList(4, 8));
        advance(Duration.ofMillis(GAP + 500));
        ResultEvent e = EventJson.fromBytes(results.readValue(), ResultEvent.class);
        assertEquals(8, e.provenance().instanceCount(), "restored and waiting instances in one result");
        assertTrue(results.isEmpty(), "exactly one result");
    }

    /** Pipes one instance as the ingest writes it: its receive time in ich.received-at and as the record timestamp. */
    /**
     * Puts the first 4 instances of {@code all} into the stores as a restored changelog would, last seen at
     * {@code longAgo} (and received then, when {@code withReceiveTimes}); the rest is left to the test.
     */
    private void restoreFirstHalf(String seriesUid, List<byte[]> all, long longAgo, boolean withReceiveTimes) throws Exception {
        org.apache.kafka.streams.state.KeyValueStore<String, SeriesState> seriesStore =
                driver.getKeyValueStore(TriageTopology.SERIES_STORE);
        org.apache.kafka.streams.state.KeyValueStore<String, ReceivedInstance> sliceStore =
                driver.getKeyValueStore(TriageTopology.SLICE_STORE);
        SeriesState restored = SeriesState.open(seriesUid, 1, longAgo);
        for (int i = 0; i < 4; i++) {
            String sop = org.ichtriage.dicom.codec.DicomReader.readPart10(all.get(i),
                    org.ichtriage.dicom.codec.DicomLimits.DEFAULT).dataset().getString(org.ichtriage.dicom.codec.Tag.SOPInstanceUID);
            sliceStore.put(SeriesAssemblyProcessor.sliceKey(seriesUid, sop), new ReceivedInstance(sop, 0, i, longAgo, all.get(i)));
            restored = restored.withInstance(longAgo, all.get(i).length, null, 1, null, null);
            if (withReceiveTimes) {
                restored = restored.receivedAt(longAgo);
            }
        }
        seriesStore.put(seriesUid, restored);
    }

    private void sendReceivedAt(String series, byte[] instance, Instant receivedAt) {
        RecordHeaders h = new RecordHeaders();
        h.add(org.ichtriage.events.InstanceHeaders.RECEIVED_AT, receivedAt.toString().getBytes(StandardCharsets.UTF_8));
        in.pipeInput(new TestRecord<>(series, instance, h, receivedAt));
    }

    private List<ResultEvent> resultsFor(String series) {
        List<ResultEvent> out = new ArrayList<>();
        for (var r : results.readRecordsToList()) {
            if (series.equals(r.key())) {
                out.add(EventJson.fromBytes(r.value(), ResultEvent.class));
            }
        }
        return out;
    }

    @Test
    void backloggedWorkerJudgesSilenceByReceiveTimesAndDoesNotSplitTheSeries() {
        // The worker is a minute behind and reads slowly: 12 s of its time per second of the senders'.
        // Series A was sent at 1 slice/s, interleaved with series C; in worker time 12 s pass between
        // two slices of A, more than the gap, but in receive time only 1 s.
        var a = CtSeriesWriter.StudyIdentity.random("BACKLOG-A");
        var c = CtSeriesWriter.StudyIdentity.random("BACKLOG-C");
        List<byte[]> aSlices = series(a, 6, false);
        List<byte[]> cSlices = series(c, 6, false);
        Instant sentFrom = Instant.now().minusSeconds(60);
        for (int i = 0; i < 6; i++) {
            sendReceivedAt(a.seriesInstanceUid(), aSlices.get(i), sentFrom.plusSeconds(i));
            advance(Duration.ofMillis(6_000));
            sendReceivedAt(c.seriesInstanceUid(), cSlices.get(i), sentFrom.plusSeconds(i).plusMillis(500));
            advance(Duration.ofMillis(6_000));
        }
        assertEquals(List.of(), resultsFor(a.seriesInstanceUid()), "nothing complete while the backlog is read");
        // the backlog is drained: from here on the worker's clock is the senders'
        advance(Duration.ofMillis(GAP + 500));
        List<ResultEvent> got = results.readRecordsToList().stream()
                .map(r -> EventJson.fromBytes(r.value(), ResultEvent.class)).toList();
        List<ResultEvent> ofA = got.stream().filter(e -> e.seriesInstanceUid().equals(a.seriesInstanceUid())).toList();
        assertEquals(1, ofA.size(), "one revision of A: " + ofA);
        assertEquals(6, ofA.get(0).provenance().instanceCount());
        assertEquals(1, got.stream().filter(e -> e.seriesInstanceUid().equals(c.seriesInstanceUid())).count(), "C: " + got);
    }

    @Test
    void senderAtOneSlicePerSecondDuringALongAnalysisGetsOneRevision() {
        // Scaled down ten times from the probe (1 slice/s, 10 s gap, 33 s analysis): a slice every
        // 100 ms, a 1 s gap, a 2 s analysis. Slices sent during the analysis wait in the topic; the
        // thread may punctuate before it reads them.
        startWith(new StreamLimits(1_000, 50, 64L << 20, 4, 60_000));
        var a = CtSeriesWriter.StudyIdentity.random("SLOW-A");
        var b = CtSeriesWriter.StudyIdentity.random("SLOW-B");
        slowSeries.add(b.seriesInstanceUid());
        List<byte[]> aSlices = series(a, 24, false);
        Instant t = Instant.now();
        for (int i = 0; i < 3; i++) {
            sendReceivedAt(a.seriesInstanceUid(), aSlices.get(i), t);
            advance(Duration.ofMillis(100));
            t = t.plusMillis(100);
        }
        for (byte[] slice : series(b, 3, false)) {
            sendReceivedAt(b.seriesInstanceUid(), slice, t);
        }
        RecordHeaders close = new RecordHeaders();
        close.add(SeriesAssemblyProcessor.CONTROL_HEADER, SeriesAssemblyProcessor.FORCE_COMPLETE.getBytes(StandardCharsets.UTF_8));
        in.pipeInput(new TestRecord<>(b.seriesInstanceUid(), null, close, t)); // B is analysed now, for 2 s
        advance(SLOW_ANALYSIS); // the punctuation that follows the analysis
        assertEquals(List.of(), resultsFor(a.seriesInstanceUid()), "A is not closed by the time spent analysing B");
        for (int i = 3; i < 24; i++) { // sent during the analysis, read now
            sendReceivedAt(a.seriesInstanceUid(), aSlices.get(i), t);
            t = t.plusMillis(100);
        }
        advance(Duration.ofMillis(1_500));
        List<ResultEvent> ofA = resultsFor(a.seriesInstanceUid());
        assertEquals(1, ofA.size(), "one revision: " + ofA);
        assertEquals(24, ofA.get(0).provenance().instanceCount());
    }

    @Test
    void completesAtAnnouncedCountBeforeTheGap() {
        var id = CtSeriesWriter.StudyIdentity.random("P2");
        send(id.seriesInstanceUid(), series(id, 6, true));
        ResultEvent e = EventJson.fromBytes(results.readValue(), ResultEvent.class);
        assertEquals("COUNT", e.provenance().completionReason());
        assertEquals(6, e.provenance().instanceCount());
        advance(Duration.ofMillis(3 * GAP));
        assertTrue(results.isEmpty(), "the gap does not complete it a second time");
    }

    @Test
    void forceCompleteControlRecordClosesNow() {
        var id = CtSeriesWriter.StudyIdentity.random("P3");
        send(id.seriesInstanceUid(), series(id, 4, false));
        RecordHeaders h = new RecordHeaders();
        h.add(SeriesAssemblyProcessor.CONTROL_HEADER, SeriesAssemblyProcessor.FORCE_COMPLETE.getBytes(StandardCharsets.UTF_8));
        in.pipeInput(new TestRecord<>(id.seriesInstanceUid(), null, h));
        ResultEvent e = EventJson.fromBytes(results.readValue(), ResultEvent.class);
        assertEquals("FORCED", e.provenance().completionReason());
        assertEquals(4, e.provenance().instanceCount());
    }

    @Test
    void duplicatesAreDroppedAndLateSlicesGiveTheNextRevisionOfTheWholeSeries() {
        var id = CtSeriesWriter.StudyIdentity.random("P4");
        List<byte[]> all = series(id, 6, false);
        send(id.seriesInstanceUid(), all.subList(0, 5));
        send(id.seriesInstanceUid(), all.subList(0, 2)); // the modality retried two
        advance(Duration.ofMillis(GAP + 500));
        ResultEvent first = EventJson.fromBytes(results.readValue(), ResultEvent.class);
        assertEquals(5, first.provenance().instanceCount(), "duplicates counted once");
        assertEquals(5, analysed.get(0).instances().size());

        send(id.seriesInstanceUid(), all.subList(5, 6)); // a late slice
        advance(Duration.ofMillis(GAP + 500));
        ResultEvent second = EventJson.fromBytes(results.readValue(), ResultEvent.class);
        assertEquals(2, second.revision());
        assertEquals(6, second.provenance().instanceCount(), "the new revision covers the whole series");
    }

    @Test
    void corruptInstanceAndLimitsGoToDeadLetterAndWorkerCarriesOn() {
        in.pipeInput("1.2.3", new byte[] {1, 2, 3});
        DeadLetter corrupt = EventJson.fromBytes(deadLetters.readValue(), DeadLetter.class);
        assertEquals("CORRUPT_INSTANCE", corrupt.reason());
        assertEquals(1, corrupt.offsets().size());

        startWith(new StreamLimits(GAP, 3, 64L << 20, 1, 60_000));
        var big = CtSeriesWriter.StudyIdentity.random("P5");
        send(big.seriesInstanceUid(), series(big, 4, false));
        DeadLetter tooMany = EventJson.fromBytes(deadLetters.readValue(), DeadLetter.class);
        assertEquals("TOO_MANY_SLICES", tooMany.reason());
        assertEquals(4, tooMany.sopInstanceUids().size(), "every refused instance is named");

        var open = CtSeriesWriter.StudyIdentity.random("P6");
        var other = CtSeriesWriter.StudyIdentity.random("P7");
        send(open.seriesInstanceUid(), series(open, 2, false));
        send(other.seriesInstanceUid(), series(other, 1, false));
        DeadLetter tooManyOpen = EventJson.fromBytes(deadLetters.readValue(), DeadLetter.class);
        assertEquals("TOO_MANY_OPEN_SERIES", tooManyOpen.reason());

        advance(Duration.ofMillis(GAP + 500));
        ResultEvent e = EventJson.fromBytes(results.readValue(), ResultEvent.class);
        assertEquals(open.seriesInstanceUid(), e.seriesInstanceUid(), "the worker still completes the open series");
    }

    @Test
    void instanceResentAfterCompletionDoesNotStartANewRevision() {
        var id = CtSeriesWriter.StudyIdentity.random("P8");
        List<byte[]> all = series(id, 4, true);
        send(id.seriesInstanceUid(), all);
        assertEquals(1, EventJson.fromBytes(results.readValue(), ResultEvent.class).revision());
        send(id.seriesInstanceUid(), all.subList(3, 4)); // the modality retries after an A700 whose write had landed
        advance(Duration.ofMillis(3 * GAP));
        assertTrue(results.isEmpty(), "an already analysed instance gives no second result");
        assertTrue(deadLetters.isEmpty());
    }

    @Test
    void imagesInAcquisitionDoesNotCompleteASeriesOfSeveralAcquisitions() throws Exception {
        var id = CtSeriesWriter.StudyIdentity.random("P9");
        List<byte[]> first = series(id, 3, true);   // each says Images in Acquisition = 3
        List<byte[]> second = new ArrayList<>();
        for (byte[] b : series(id, 3, true)) {
            var f = org.ichtriage.dicom.codec.DicomReader.readPart10(b, org.ichtriage.dicom.codec.DicomLimits.DEFAULT);
            f.dataset().putString(org.ichtriage.dicom.codec.Tag.AcquisitionNumber, org.ichtriage.dicom.codec.VR.IS, "2");
            second.add(org.ichtriage.dicom.codec.DicomWriter.writePart10(f.dataset(), CtSeriesWriter.CT_IMAGE_STORAGE,
                    f.dataset().getString(org.ichtriage.dicom.codec.Tag.SOPInstanceUID), f.transferSyntaxUid()));
        }
        send(id.seriesInstanceUid(), first.subList(0, 2));
        send(id.seriesInstanceUid(), second.subList(0, 1));
        send(id.seriesInstanceUid(), first.subList(2, 3)); // 4 instances, 3 of acquisition 1: not complete
        assertTrue(results.isEmpty(), "a count from one acquisition must not close a series holding two");
        send(id.seriesInstanceUid(), second.subList(1, 3));
        advance(Duration.ofMillis(GAP + 500));
        ResultEvent e = EventJson.fromBytes(results.readValue(), ResultEvent.class);
        assertEquals(6, e.provenance().instanceCount());
        assertEquals("GAP", e.provenance().completionReason());
    }

    private void startWithEarlyCompletion() {
        startWith(new StreamLimits(GAP, 50, 64L << 20, 4, 60_000, 1500, 100, StreamLimits.DEFAULT_MAX_ANALYSIS_ATTEMPTS));
    }

    @Test
    void aContiguousStackCoveringAHeadCompletesAfterTheShortQuietTime() {
        startWithEarlyCompletion();
        var id = CtSeriesWriter.StudyIdentity.random("P20");
        send(id.seriesInstanceUid(), series(id, 30, false)); // 30 slices 5 mm apart: 145 mm, no Images in Acquisition
        advance(Duration.ofMillis(1000));
        assertTrue(results.isEmpty(), "not before the quiet time");
        advance(Duration.ofMillis(750));
        ResultEvent e = EventJson.fromBytes(results.readValue(), ResultEvent.class);
        assertEquals("STACK", e.provenance().completionReason());
        assertEquals(30, e.provenance().instanceCount());
        advance(Duration.ofMillis(GAP));
        assertTrue(results.isEmpty(), "exactly one result");
    }

    @Test
    void aStackWithAHoleWaitsForTheGap() {
        startWithEarlyCompletion();
        var id = CtSeriesWriter.StudyIdentity.random("P21");
        List<byte[]> all = new ArrayList<>(series(id, 30, false));
        all.remove(14); // one slice still missing in the middle
        send(id.seriesInstanceUid(), all);
        advance(Duration.ofMillis(GAP - 1000));
        assertTrue(results.isEmpty(), "a stack with a hole is not evidently complete");
        advance(Duration.ofMillis(1500));
        assertEquals("GAP", EventJson.fromBytes(results.readValue(), ResultEvent.class).provenance().completionReason());
    }

    @Test
    void aShortStackWaitsForTheGap() {
        startWithEarlyCompletion();
        var id = CtSeriesWriter.StudyIdentity.random("P22");
        send(id.seriesInstanceUid(), series(id, 12, false)); // 55 mm: a partial head, perhaps still arriving
        advance(Duration.ofMillis(GAP - 1000));
        assertTrue(results.isEmpty(), "55 mm does not cover a head");
        advance(Duration.ofMillis(1500));
        assertEquals("GAP", EventJson.fromBytes(results.readValue(), ResultEvent.class).provenance().completionReason());
    }

    @Test
    void aSliceAfterAnEarlyCompletionGivesRevisionTwoWithTheWholeSeries() {
        startWithEarlyCompletion();
        var id = CtSeriesWriter.StudyIdentity.random("P23");
        List<byte[]> all = series(id, 31, false);
        send(id.seriesInstanceUid(), all.subList(0, 30));
        advance(Duration.ofMillis(1750));
        ResultEvent first = EventJson.fromBytes(results.readValue(), ResultEvent.class);
        assertEquals(1, first.revision());
        send(id.seriesInstanceUid(), all.subList(30, 31));
        advance(Duration.ofMillis(1750));
        ResultEvent second = EventJson.fromBytes(results.readValue(), ResultEvent.class);
        assertEquals(2, second.revision());
        assertEquals(31, second.provenance().instanceCount());
        assertEquals("STACK", second.provenance().completionReason());
    }

    @Test
    void aWholeStackReadFromABacklogCompletesAfterTheQuietTimeNotAfterTheGap() {
        // the first series after a start, or one that arrived during another's analysis: every slice was
        // received 30 s ago and is read at once; nothing else is waiting
        startWithEarlyCompletion();
        var id = CtSeriesWriter.StudyIdentity.random("P24");
        Instant receivedAt = Instant.now().minusSeconds(30);
        for (byte[] b : series(id, 30, false)) {
            sendReceivedAt(id.seriesInstanceUid(), b, receivedAt);
        }
        advance(Duration.ofMillis(2500));
        List<ResultEvent> got = resultsFor(id.seriesInstanceUid());
        assertEquals(1, got.size(), "complete 1.5 s after the backlog was read, not a whole 10 s gap later");
        assertEquals("STACK", got.get(0).provenance().completionReason());
    }

    /**
     * As in the soak (issue 15): 24 instances written within 0.3 s at consecutive offsets; the worker
     * read 19, then its fetch stalled (a broker restart) for longer than the gap while the other 5
     * waited in the topic. 19 slices of 5 mm do not cover a head, so only the gap could close them.
     */
    /**
     * A 24-instance series received at {@code receivedAt}: the task reads 19, its fetch stalls past the gap while 5 wait
     * in the topic (nothing may close), then it reads the rest and drains. Returns the one result, of all 24.
     */
    private ResultEvent stalledThenReadToTheEnd(String patient, Instant receivedAt) {
        var id = CtSeriesWriter.StudyIdentity.random(patient);
        List<byte[]> all = series(id, 24, false);
        for (byte[] b : all.subList(0, 19)) {
            sendReceivedAt(id.seriesInstanceUid(), b, receivedAt);
        }
        writtenNotRead.set(5);
        advance(Duration.ofMillis(GAP + 5_000)); // nothing read: the fetch is stalled, not drained
        assertEquals(List.of(), resultsFor(id.seriesInstanceUid()), "5 instances still wait in the topic");
        writtenNotRead.set(0);
        for (byte[] b : all.subList(19, 24)) {
            sendReceivedAt(id.seriesInstanceUid(), b, receivedAt);
        }
        advance(Duration.ofMillis(GAP + 500));
        List<ResultEvent> got = resultsFor(id.seriesInstanceUid());
        assertEquals(1, got.size(), "one revision: " + got);
        assertEquals(24, got.get(0).provenance().instanceCount());
        return got.get(0);
    }

    @Test
    void stalledWorkerBehindItsInputDoesNotCloseASeriesWhoseRestWaitsInTheTopic() {
        startWithEarlyCompletion();
        // the worker reads them a minute late
        ResultEvent only = stalledThenReadToTheEnd("STALL-BEHIND", Instant.now().minusSeconds(67));
        assertEquals("STACK", only.provenance().completionReason());
    }

    @Test
    void stalledWorkerThatWasCaughtUpDoesNotCloseASeriesWhoseRestWaitsInTheTopic() {
        startWithEarlyCompletion();
        stalledThenReadToTheEnd("STALL-LIVE", Instant.ofEpochMilli(System.currentTimeMillis())); // read as soon as received
    }

    @Test
    void unknownInputEndIsNotTakenForADrainedInputButAKnownOneIs() {
        var id = CtSeriesWriter.StudyIdentity.random("END-UNKNOWN");
        send(id.seriesInstanceUid(), series(id, 5, false));
        endKnown.set(false); // the look-up has not answered since the start
        advance(Duration.ofMillis(GAP + 5_000));
        assertEquals(List.of(), resultsFor(id.seriesInstanceUid()), "whether more instances wait cannot be known");
        endKnown.set(true); // the end is known again: all 5 were read, the input is drained
        advance(Duration.ofMillis(500));
        List<ResultEvent> got = resultsFor(id.seriesInstanceUid());
        assertEquals(1, got.size(), "complete once the input is known drained: " + got);
        assertEquals(5, got.get(0).provenance().instanceCount());
        assertEquals("GAP", got.get(0).provenance().completionReason());
    }

    @Test
    void seriesRestoredAfterARestartWaitsWhileItsRestIsStuckInTheTopicBeforeTheFirstRecord() throws Exception {
        // As after a kill -9: the store holds 4 of 8 instances; the other 4 wait in the topic, and the
        // fresh task's first fetch stalls (the broker restarts) for longer than the gap.
        var id = CtSeriesWriter.StudyIdentity.random("STALL-RESTORED");
        List<byte[]> all = series(id, 8, false);
        long longAgo = System.currentTimeMillis() - 10 * GAP;
        restoreFirstHalf(id.seriesInstanceUid(), all, longAgo, true);
        writtenNotRead.set(4);

        advance(Duration.ofMillis(GAP + 5_000));
        assertEquals(List.of(), resultsFor(id.seriesInstanceUid()), "its other 4 instances wait where the task resumes");
        writtenNotRead.set(0);
        for (byte[] b : all.subList(4, 8)) {
            sendReceivedAt(id.seriesInstanceUid(), b, Instant.ofEpochMilli(longAgo));
        }
        advance(Duration.ofMillis(GAP + 500));
        List<ResultEvent> got = resultsFor(id.seriesInstanceUid());
        assertEquals(1, got.size(), "one revision: " + got);
        assertEquals(8, got.get(0).provenance().instanceCount(), "restored and waiting instances in one result");
    }
}
