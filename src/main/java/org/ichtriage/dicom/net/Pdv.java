package org.ichtriage.dicom.net;

/** One presentation data value of a P-DATA-TF, pointing into the PDU buffer it was read from. */
public record Pdv(int presentationContextId, boolean command, boolean last, byte[] buffer, int offset, int length) {
}
