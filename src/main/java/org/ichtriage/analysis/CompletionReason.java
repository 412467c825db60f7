package org.ichtriage.analysis;

/** Why the assembler declared a series complete. */
public enum CompletionReason {
    /** no new instance for the configured gap (wall clock) */
    GAP,
    /** the number of instances announced by Images in Acquisition arrived */
    COUNT,
    /** one contiguous, evenly spaced stack covering a head, quiet for pipeline.early-completion-quiet-ms */
    STACK,
    /** a force-complete control record arrived */
    FORCED,
    /** a folder analysed by `ich-triage analyze`, outside Kafka */
    ANALYZE
}
