package org.ichtriage.events;

/** Kafka record headers on the output topics; part of the contract with consumers. */
public final class OutputHeaders {
    /** The result event's id, on ich.results.v1 and on each SEG or key-image record of ich.seg.v1. */
    public static final String EVENT_ID_HEADER = "ich.event-id";
    /** On ich.seg.v1: "seg" or "key-image". */
    public static final String KIND_HEADER = "ich.kind";
    /** On ich.seg.v1: the object's SOP Class UID, SOP Instance UID and transfer syntax, so that the forwarder parses nothing it was handed. */
    public static final String SOP_CLASS_UID_HEADER = "ich.sop-class-uid";
    public static final String SOP_INSTANCE_UID_HEADER = "ich.sop-instance-uid";
    public static final String TRANSFER_SYNTAX_UID_HEADER = "ich.transfer-syntax-uid";

    private OutputHeaders() {}
}
