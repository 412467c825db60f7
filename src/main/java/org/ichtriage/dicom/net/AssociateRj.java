package org.ichtriage.dicom.net;

/** A-ASSOCIATE-RJ (PS3.8 9.3.4): result, source and reason as in table 9-21. */
public record AssociateRj(int result, int source, int reason) {
    public static final int PERMANENT = 1;
    public static final int TRANSIENT = 2;
    public static final int SOURCE_SERVICE_USER = 1;
    public static final int SOURCE_ACSE = 2;
    public static final int SOURCE_PRESENTATION = 3;
    /** source 1 */
    public static final int REASON_NO_REASON = 1;
    public static final int REASON_APP_CONTEXT_NOT_SUPPORTED = 2;
    public static final int REASON_CALLING_AE_NOT_RECOGNIZED = 3;
    public static final int REASON_CALLED_AE_NOT_RECOGNIZED = 7;
    /** source 2 */
    public static final int REASON_PROTOCOL_VERSION_NOT_SUPPORTED = 2;
    /** source 3 */
    public static final int REASON_TEMPORARY_CONGESTION = 1;
    public static final int REASON_LOCAL_LIMIT_EXCEEDED = 2;

    public String describe() {
        String r = switch (source) {
            case SOURCE_SERVICE_USER -> switch (reason) {
                case 1 -> "no-reason-given";
                case 2 -> "application-context-name-not-supported";
                case 3 -> "calling-AE-title-not-recognized";
                case 7 -> "called-AE-title-not-recognized";
                default -> "reason " + reason;
            };
            case SOURCE_ACSE -> reason == 2 ? "protocol-version-not-supported" : "no-reason-given";
            case SOURCE_PRESENTATION -> reason == 1 ? "temporary-congestion"
                    : reason == 2 ? "local-limit-exceeded" : "reason " + reason;
            default -> "source " + source + " reason " + reason;
        };
        return (result == PERMANENT ? "permanent" : "transient") + " " + r;
    }
}
