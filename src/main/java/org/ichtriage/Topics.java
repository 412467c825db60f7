package org.ichtriage;

/**
 * The Kafka topics of ich-triage: a contract with other tools (docs/architecture.md). Change a name only
 * with a version bump. Settings and creation live in kafka.TopicCatalog; docs/operations.md explains them.
 */
public final class Topics {
    public static final String INSTANCES = "ich.instances.v1";
    public static final String RESULTS = "ich.results.v1";
    public static final String SEG = "ich.seg.v1";
    public static final String DEADLETTER = "ich.deadletter.v1";
    public static final String RESULTS_REPLAY = "ich.results.replay.v1";
    public static final String FORWARDING = "ich.forwarding.v1";
    /** Series the selection rules did not analyse (a chest CT, a bone-kernel series...), with the reason. */
    public static final String SKIPPED = "ich.skipped.v1";
    /** One verdict per study, revised with each later series result (the most urgent series decides). */
    public static final String STUDY_RESULTS = "ich.study-results.v1";

    /** Fits a 512x512x2-byte slice with its header (about 525 KB) and a multi-frame SEG with room to spare. */
    public static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    private Topics() {}
}
