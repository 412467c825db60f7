package org.ichtriage.dicom.codec;

/**
 * The input is not a DICOM Part 10 file at all (no "DICM" marker, no file meta group): a README or a
 * JPEG in an exported folder, as opposed to a DICOM file that is broken. Callers that walk folders
 * skip these and refuse the broken ones.
 */
public final class NotPart10Exception extends DicomParseException {
    public NotPart10Exception(long offset, long inputLength) {
        super("not a DICOM Part 10 file (no 'DICM' prefix after a 128-byte preamble at offset " + offset + "; input is "
                + inputLength + " bytes)", 0, offset);
    }
}
