package org.ichtriage.pipeline;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.ichtriage.events.EventJson;
import org.ichtriage.analysis.ExpansionAssessor;
import org.ichtriage.events.ResultEvent;

/**
 * Second stage of the topology: reads result events re-keyed by patient from the staging topic,
 * adds the expansion block and writes them to the results topic keyed by series again. It exists
 * because the input is partitioned by series: two studies of one patient usually arrive on
 * different partitions, so only a stage partitioned by patient sees the patient's whole history.
 */
final class ExpansionProcessor implements Processor<String, byte[], String, byte[]> {
    private final ExpansionAssessor assessor;
    private ProcessorContext<String, byte[]> context;
    private ExpansionTracker tracker;

    ExpansionProcessor(ExpansionAssessor assessor) {
        this.assessor = assessor;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        KeyValueStore<String, PatientHistory> store = context.getStateStore(TriageTopology.PATIENT_HISTORY_STORE);
        this.tracker = new ExpansionTracker(store, assessor);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        ResultEvent event = tracker.track(EventJson.fromBytes(record.value(), ResultEvent.class));
        context.forward(new Record<>(event.seriesInstanceUid(), EventJson.toBytes(event), record.timestamp(), record.headers()));
    }
}
