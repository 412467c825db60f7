package org.ichtriage.ingest;

/** Names of the Kafka record headers on ich.instances.v1 (a contract with the pipeline). */
public final class InstanceHeaders {
    public static final String SOP_INSTANCE_UID = "ich.sop-instance-uid";
    public static final String SOP_CLASS_UID = "ich.sop-class-uid";
    public static final String CALLING_AET = "ich.calling-aet";
    public static final String CALLED_AET = "ich.called-aet";
    /** ISO-8601 instant at which the dataset was fully received. */
    public static final String RECEIVED_AT = "ich.received-at";

    private InstanceHeaders() {
    }
}
