package org.ichtriage.dicom.codec;

/** A decoded DICOM Part 10 file: its group 0002 meta information, the dataset, and the dataset's transfer syntax. */
public record Part10File(DicomObject fileMeta, DicomObject dataset, String transferSyntaxUid) {
}
