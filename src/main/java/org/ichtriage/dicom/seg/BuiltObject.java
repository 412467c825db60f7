package org.ichtriage.dicom.seg;

/** An encoded derived instance: a Part 10 file in Explicit VR Little Endian and the identifiers callers publish. */
public record BuiltObject(String sopClassUid, String sopInstanceUid, String seriesInstanceUid, int frames, byte[] part10) {
}
