package org.ichtriage.dicom.codec;

import java.util.List;

/**
 * One attribute: raw little-endian value bytes as encoded, or sequence items when {@code vr} is SQ
 * (then {@code value} is null). Arrays are shared, not copied; {@link DicomObject} copies at its boundary.
 */
public record DicomElement(int tag, VR vr, byte[] value, List<DicomObject> items) {
    public boolean isSequence() {
        return items != null;
    }

    /** Value length in bytes, or -1 for sequences. */
    public int length() {
        return value != null ? value.length : -1;
    }
}
