package org.ichtriage.dicom.net;

import java.io.IOException;

/**
 * A protocol violation by the peer. It carries the A-ABORT reason that the receiving side sends
 * before closing, and the byte offset in the PDU where the problem was found (-1 if none).
 */
public class PduException extends IOException {
    private final int abortReason;
    private final long offset;

    public PduException(String message, int abortReason, long offset) {
        super(offset >= 0 ? message + " (at PDU offset " + offset + ")" : message);
        this.abortReason = abortReason;
        this.offset = offset;
    }

    public int abortReason() {
        return abortReason;
    }

    public long offset() {
        return offset;
    }
}
