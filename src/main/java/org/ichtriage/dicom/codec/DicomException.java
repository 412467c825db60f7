package org.ichtriage.dicom.codec;

/** Base of every checked error of the DICOM layers: a malformed object, an unsupported encoding, a protocol fault. */
public class DicomException extends Exception {
    public DicomException(String message) {
        super(message);
    }

    public DicomException(String message, Throwable cause) {
        super(message, cause);
    }
}
