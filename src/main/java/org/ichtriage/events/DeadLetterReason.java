package org.ichtriage.events;

/**
 * Why an input gave no result: the {@code reason} of a dead letter, each with the {@code stage} it
 * belongs to. The names are part of the ich.deadletter.v1 contract (alerting keys on them).
 */
public enum DeadLetterReason {
    // the stream's assembly of a series
    MISSING_KEY_OR_VALUE(Stage.ASSEMBLY),
    CORRUPT_INSTANCE(Stage.ASSEMBLY),
    MISSING_SOP_INSTANCE_UID(Stage.ASSEMBLY),
    SERIES_REFUSED(Stage.ASSEMBLY),
    TOO_MANY_OPEN_SERIES(Stage.ASSEMBLY),
    TOO_MANY_SLICES(Stage.ASSEMBLY),
    TOO_MANY_BYTES(Stage.ASSEMBLY),
    // the geometry check of the volume (volume.RefusalReason, same names)
    NOT_CT(Stage.ASSEMBLY),
    MIXED_SERIES(Stage.ASSEMBLY),
    TOO_FEW_SLICES(Stage.ASSEMBLY),
    MIXED_ORIENTATION(Stage.ASSEMBLY),
    MIXED_MATRIX(Stage.ASSEMBLY),
    GAP_TOO_LARGE(Stage.ASSEMBLY),
    DUPLICATE_POSITION(Stage.ASSEMBLY),
    CONFLICTING_DUPLICATE(Stage.ASSEMBLY),
    MISSING_PIXEL_DATA(Stage.ASSEMBLY),
    MISSING_GEOMETRY(Stage.ASSEMBLY),
    UNSUPPORTED_BITS_ALLOCATED(Stage.ASSEMBLY),
    UNSUPPORTED_SAMPLES_PER_PIXEL(Stage.ASSEMBLY),
    TRUNCATED_PIXEL_DATA(Stage.ASSEMBLY),
    INCOMPLETE_COVERAGE(Stage.ASSEMBLY),
    MIXED_FRAME_OF_REFERENCE(Stage.ASSEMBLY),
    IMPLAUSIBLE_HU(Stage.ASSEMBLY),
    NO_HEAD_FOUND(Stage.ASSEMBLY),
    /** one acquisition stack failed after inference (its SEG could not be built, say) */
    ANALYSIS_FAILED(Stage.ASSEMBLY),
    INFERENCE_FAILED(Stage.INFERENCE),
    /** the volume's estimated analysis memory exceeds pipeline.analysis-memory-mb: refused before inference */
    MEMORY_BUDGET_EXCEEDED(Stage.INFERENCE),
    /** the analysis of this series was started pipeline.max-analysis-attempts times and never finished (the worker died in it) */
    ANALYSIS_NOT_FINISHED(Stage.INFERENCE),
    // the PACS forwarder
    UNREADABLE_OBJECT(Stage.FORWARD),
    DESTINATION_UNREACHABLE(Stage.FORWARD),
    DESTINATION_REFUSED(Stage.FORWARD),
    // the alert outputs (alerts/): a record on the result topic that is no result event. They also
    // write DESTINATION_REFUSED and DESTINATION_UNREACHABLE, with stage ALERT (docs/decisions/alerts.md)
    UNREADABLE_EVENT(Stage.ALERT);

    /** The stages of schemas/ich-deadletter.v1.schema.json. */
    public enum Stage { INGEST, ASSEMBLY, INFERENCE, RESULTS, FORWARD, ALERT }

    private final Stage stage;

    DeadLetterReason(Stage stage) {
        this.stage = stage;
    }

    public Stage stage() {
        return stage;
    }
}
