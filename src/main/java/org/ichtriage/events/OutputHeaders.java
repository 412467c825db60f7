package org.ichtriage.events;

/** Kafka record headers on the output topics; part of the contract with consumers. */
public final class OutputHeaders {
    /** The result event's id, on ich.results.v1 and on each SEG or key-image record of ich.seg.v1. */
    public static final String EVENT_ID_HEADER = "ich.event-id";
    /** On ich.seg.v1: "seg" or "key-image". */
    public static final String KIND_HEADER = "ich.kind";

    private OutputHeaders() {}
}
