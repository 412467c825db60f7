package org.ichtriage.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.ichtriage.analysis.StudyVerdicts;
import org.ichtriage.events.EventJson;
import org.ichtriage.events.ResultEvent;
import org.ichtriage.events.StudyVerdict;

/**
 * Third stage: after the expansion stage, in the same task (partitioned by patient, so every series of
 * a study meets here), keeps each study's series findings and emits the study's verdict, revised with
 * every later series result. Studies untouched for {@link #KEEP} are forgotten.
 */
final class StudyVerdictProcessor implements Processor<String, byte[], String, byte[]> {
    static final Duration KEEP = Duration.ofDays(7);
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, StudyState> studies;

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.studies = context.getStateStore(TriageTopology.STUDY_STORE);
        context.schedule(Duration.ofHours(1), PunctuationType.WALL_CLOCK_TIME, this::forgetOldStudies);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        ResultEvent event = EventJson.fromBytes(record.value(), ResultEvent.class);
        if (event.studyInstanceUid() == null || event.studyInstanceUid().isEmpty()) {
            return; // the result itself is on ich.results.v1; without a study there is no study verdict
        }
        long now = context.currentSystemTimeMs();
        StudyState previous = studies.get(event.studyInstanceUid());
        List<StudyVerdict.SeriesFinding> findings = new ArrayList<>();
        if (previous != null) {
            previous.findings().stream().filter(f -> !f.seriesInstanceUid().equals(event.seriesInstanceUid())).forEach(findings::add);
        }
        findings.add(StudyVerdicts.findingOf(event));
        int revision = previous == null ? 1 : previous.revision() + 1;
        studies.put(event.studyInstanceUid(), new StudyState(revision, findings, now));
        StudyVerdict verdict = StudyVerdicts.verdict(findings, event, revision, Instant.ofEpochMilli(now).toString());
        context.forward(new Record<>(event.studyInstanceUid(), EventJson.toBytes(verdict), record.timestamp()));
    }

    private void forgetOldStudies(long now) {
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, StudyState> it = studies.all()) {
            while (it.hasNext()) {
                KeyValue<String, StudyState> kv = it.next();
                if (now - kv.value.updatedMs() > KEEP.toMillis()) {
                    old.add(kv.key);
                }
            }
        }
        old.forEach(studies::delete);
    }
}
