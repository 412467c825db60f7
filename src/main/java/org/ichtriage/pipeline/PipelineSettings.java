package org.ichtriage.pipeline;

import org.ichtriage.Topics;

import java.util.Optional;

import org.ichtriage.analysis.ExpansionAssessor;

/**
 * Where the topology reads and writes, and the settings of its stages.
 *
 * @param stagingTopic result events keyed by patient, between assembly and the expansion stage; one per application id
 * @param segTopic     SEG and key images; empty drops them (replay: they are derived data, named in the event)
 * @param deadLetterTopic refusals; a replay sends them to its results topic so the comparison sees them
 * @param skippedTopic series the selection rules skip; empty drops them (replay: the live skip is on ich.skipped.v1)
 * @param studyTopic   one verdict per study; empty: no study stage (replay compares series results)
 */
public record PipelineSettings(StreamLimits limits, String inputTopic, String resultsTopic, String stagingTopic,
                               Optional<String> segTopic, String deadLetterTopic, Optional<String> skippedTopic,
                               Optional<String> studyTopic, ExpansionAssessor expansion) {

    /** The defaults of expansion.* (48 h, 6 mL, 33%), for tests and tools that do not read the configuration. */
    public static final ExpansionAssessor DEFAULT_EXPANSION = new ExpansionAssessor(48, 6, 0.33);

    /** The live worker: ich.instances.v1 in, ich.results.v1 / ich.seg.v1 / ich.deadletter.v1 / ich.skipped.v1 out. */
    public static PipelineSettings live(StreamLimits limits, String applicationId, ExpansionAssessor expansion) {
        return new PipelineSettings(limits, Topics.INSTANCES, Topics.RESULTS, stagingTopicFor(applicationId),
                Optional.of(Topics.SEG), Topics.DEADLETTER, Optional.of(Topics.SKIPPED), Optional.of(Topics.STUDY_RESULTS), expansion);
    }

    /** A replay: its own input topic, everything out on the replay results topic, no SEG. */
    public static PipelineSettings replay(StreamLimits limits, String applicationId, String inputTopic, String resultsTopic,
                                          ExpansionAssessor expansion) {
        return new PipelineSettings(limits, inputTopic, resultsTopic, stagingTopicFor(applicationId), Optional.empty(),
                resultsTopic, Optional.empty(), Optional.empty(), expansion);
    }

    public static String stagingTopicFor(String applicationId) {
        return "ich.patient-staging." + applicationId;
    }
}
