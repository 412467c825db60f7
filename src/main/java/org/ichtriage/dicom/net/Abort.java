package org.ichtriage.dicom.net;

/** A-ABORT (PS3.8 9.3.8): source 0 service-user, 2 service-provider; reasons per table 9-26. */
public record Abort(int source, int reason) {
    public static final int SOURCE_USER = 0;
    public static final int SOURCE_PROVIDER = 2;
    public static final int REASON_NOT_SPECIFIED = 0;
    public static final int REASON_UNRECOGNIZED_PDU = 1;
    public static final int REASON_UNEXPECTED_PDU = 2;
    public static final int REASON_UNRECOGNIZED_PDU_PARAMETER = 4;
    public static final int REASON_UNEXPECTED_PDU_PARAMETER = 5;
    public static final int REASON_INVALID_PDU_PARAMETER_VALUE = 6;

    public String describe() {
        String r = switch (reason) {
            case 0 -> "reason-not-specified";
            case 1 -> "unrecognized-PDU";
            case 2 -> "unexpected-PDU";
            case 4 -> "unrecognized-PDU-parameter";
            case 5 -> "unexpected-PDU-parameter";
            case 6 -> "invalid-PDU-parameter-value";
            default -> "reason " + reason;
        };
        return (source == SOURCE_PROVIDER ? "service-provider " : "service-user ") + r;
    }
}
