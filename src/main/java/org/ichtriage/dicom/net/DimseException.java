package org.ichtriage.dicom.net;

import java.io.IOException;

import org.ichtriage.dicom.codec.Tag;

/** A malformed DIMSE message; carries the tag (or -1) and the byte offset in the command set. */
public class DimseException extends IOException {
    private final int tag;
    private final long offset;

    public DimseException(String message, int tag, long offset) {
        super(message + (tag >= 0 ? " (tag " + Tag.toString(tag) : " (")
                + " offset " + offset + ")");
        this.tag = tag;
        this.offset = offset;
    }

    public int tag() {
        return tag;
    }

    public long offset() {
        return offset;
    }
}
