package org.ichtriage.pipeline;

import org.ichtriage.Topics;

import java.util.Map;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.ichtriage.analysis.ReceivedInstance;
import org.ichtriage.analysis.SeriesAnalyzer;

/**
 * The worker topology:
 * <pre>
 *   ich.instances.v1 --> [series-assembly: slices + series stores, wall-clock punctuator, analysis]
 *                           |--> staging topic      (result event, keyed by patient key)
 *                           |--> ich.seg.v1         (DICOM SEG and key images, Part 10)
 *                           '--> ich.deadletter.v1  (JSON reason + source offsets)
 *   staging topic --> [expansion: patient-history store] --> ich.results.v1 (keyed by series)
 *                           '--> [study verdict: study store] --> ich.study-results.v1 (keyed by study)
 * </pre>
 * The staging hop re-partitions results by patient, so that one task holds a patient's whole history.
 */
public final class TriageTopology {
    public static final String SLICE_STORE = "series-slices";
    public static final String SERIES_STORE = "series-state";
    public static final String PATIENT_HISTORY_STORE = "patient-history";
    public static final String STUDY_STORE = "study-verdicts";
    static final String STUDY = "study-verdict";
    static final String STUDY_SINK = "study-results";
    static final String SOURCE = "instances";
    static final String ASSEMBLY = "series-assembly";
    static final String STAGING_SINK = "staging";
    static final String STAGING_SOURCE = "staged-results";
    static final String EXPANSION = "expansion";
    static final String RESULTS_SINK = "results";
    static final String SEG_SINK = "seg";
    static final String DEADLETTER_SINK = "deadletter";
    static final String SKIPPED_SINK = "skipped";

    private TriageTopology() {}

    /** The live topology with default expansion settings and a staging topic named after the test application id. */
    public static Topology build(SeriesAnalyzer analyzer, StreamLimits limits, String inputTopic, String resultsTopic) {
        PipelineSettings live = PipelineSettings.live(limits, "ich-triage-worker", PipelineSettings.DEFAULT_EXPANSION);
        return build(analyzer, new PipelineSettings(limits, inputTopic, resultsTopic, live.stagingTopic(), live.segTopic(),
                live.deadLetterTopic(), live.skippedTopic(), live.studyTopic(), live.expansion()));
    }

    public static Topology build(SeriesAnalyzer analyzer, PipelineSettings settings) {
        // The slice store's changelog carries whole slices: lift its record limit like the input topic's.
        Map<String, String> changelog = Map.of("max.message.bytes", String.valueOf(Topics.MAX_MESSAGE_BYTES));
        StoreBuilder<KeyValueStore<String, ReceivedInstance>> sliceStore = Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(SLICE_STORE), Serdes.String(), new ReceivedInstanceSerde())
                .withLoggingEnabled(changelog);
        StoreBuilder<KeyValueStore<String, SeriesState>> seriesStore = Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(SERIES_STORE), Serdes.String(), JsonSerde.of(SeriesState.class))
                .withLoggingEnabled(Map.of());
        StoreBuilder<KeyValueStore<String, PatientHistory>> historyStore = Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(PATIENT_HISTORY_STORE), Serdes.String(), JsonSerde.of(PatientHistory.class))
                .withLoggingEnabled(Map.of());

        boolean emitSeg = settings.segTopic().isPresent();
        Topology t = new Topology();
        t.addSource(SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), settings.inputTopic());
        t.addProcessor(ASSEMBLY, () -> new SeriesAssemblyProcessor(analyzer, settings.limits(), settings.inputTopic(), emitSeg,
                settings.skippedTopic().isPresent()), SOURCE);
        t.addStateStore(sliceStore, ASSEMBLY);
        t.addStateStore(seriesStore, ASSEMBLY);
        t.addSink(STAGING_SINK, settings.stagingTopic(), Serdes.String().serializer(), Serdes.ByteArray().serializer(), ASSEMBLY);
        settings.segTopic().ifPresent(seg ->
                t.addSink(SEG_SINK, seg, Serdes.String().serializer(), Serdes.ByteArray().serializer(), ASSEMBLY));
        t.addSink(DEADLETTER_SINK, settings.deadLetterTopic(), Serdes.String().serializer(), Serdes.ByteArray().serializer(), ASSEMBLY);
        settings.skippedTopic().ifPresent(skipped ->
                t.addSink(SKIPPED_SINK, skipped, Serdes.String().serializer(), Serdes.ByteArray().serializer(), ASSEMBLY));

        t.addSource(STAGING_SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), settings.stagingTopic());
        t.addProcessor(EXPANSION, () -> new ExpansionProcessor(settings.expansion()), STAGING_SOURCE);
        t.addStateStore(historyStore, EXPANSION);
        t.addSink(RESULTS_SINK, settings.resultsTopic(), Serdes.String().serializer(), Serdes.ByteArray().serializer(), EXPANSION);
        settings.studyTopic().ifPresent(study -> {
            t.addProcessor(STUDY, StudyVerdictProcessor::new, EXPANSION);
            t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STUDY_STORE), Serdes.String(),
                    JsonSerde.of(StudyState.class)).withLoggingEnabled(Map.of()), STUDY);
            t.addSink(STUDY_SINK, study, Serdes.String().serializer(), Serdes.ByteArray().serializer(), STUDY);
        });
        return t;
    }
}
