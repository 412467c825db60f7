package org.ichtriage.dicom.codec;

/** A malformed encoding, located by the tag being read (0 when none yet) and the byte offset in the input. */
public class DicomParseException extends DicomException {
    private final int tag;
    private final long offset;

    public DicomParseException(int tag, long offset, String detail) {
        super("element " + Tag.toString(tag) + " at offset " + offset + ": " + detail);
        this.tag = tag;
        this.offset = offset;
    }

    /** For subclasses whose message must lead with what the input is, not where the reader stopped. */
    protected DicomParseException(String message, int tag, long offset) {
        super(message);
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
