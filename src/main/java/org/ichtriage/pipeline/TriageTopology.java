package org.ichtriage.pipeline;

import java.util.Map;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.ichtriage.app.TopicCatalog;

/**
 * The worker topology, in one method:
 * <pre>
 *   ich.instances.v1 --> [series-assembly: slices + series stores, wall-clock punctuator, analysis]
 *                           |--> ich.results.v1     (JSON result event)
 *                           |--> ich.seg.v1         (DICOM SEG and key images, Part 10)
 *                           '--> ich.deadletter.v1  (JSON reason + source offsets)
 * </pre>
 */
public final class TriageTopology {
    public static final String SLICE_STORE = "series-slices";
    public static final String SERIES_STORE = "series-state";
    static final String SOURCE = "instances";
    static final String ASSEMBLY = "series-assembly";
    static final String RESULTS_SINK = "results";
    static final String SEG_SINK = "seg";
    static final String DEADLETTER_SINK = "deadletter";

    private TriageTopology() {}

    public static Topology build(SeriesAnalyzer analyzer, StreamLimits limits, String inputTopic, String resultsTopic) {
        // The slice store's changelog carries whole slices: lift its record limit like the input topic's.
        Map<String, String> changelog = Map.of("max.message.bytes", String.valueOf(TopicCatalog.MAX_MESSAGE_BYTES));
        StoreBuilder<KeyValueStore<String, ReceivedInstance>> sliceStore = Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(SLICE_STORE), Serdes.String(), new ReceivedInstanceSerde())
                .withLoggingEnabled(changelog);
        StoreBuilder<KeyValueStore<String, SeriesState>> seriesStore = Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(SERIES_STORE), Serdes.String(), JsonSerde.of(SeriesState.class))
                .withLoggingEnabled(Map.of());

        Topology t = new Topology();
        t.addSource(SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), inputTopic);
        t.addProcessor(ASSEMBLY, () -> new SeriesAssemblyProcessor(analyzer, limits, inputTopic), SOURCE);
        t.addStateStore(sliceStore, ASSEMBLY);
        t.addStateStore(seriesStore, ASSEMBLY);
        t.addSink(RESULTS_SINK, resultsTopic, Serdes.String().serializer(), Serdes.ByteArray().serializer(), ASSEMBLY);
        t.addSink(SEG_SINK, TopicCatalog.SEG, Serdes.String().serializer(), Serdes.ByteArray().serializer(), ASSEMBLY);
        t.addSink(DEADLETTER_SINK, TopicCatalog.DEADLETTER, Serdes.String().serializer(), Serdes.ByteArray().serializer(), ASSEMBLY);
        return t;
    }
}
