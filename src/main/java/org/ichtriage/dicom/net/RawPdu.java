package org.ichtriage.dicom.net;

/** A PDU as read off the wire: its type and its variable field (everything after the 6-byte header). */
public record RawPdu(int type, byte[] body) {
}
