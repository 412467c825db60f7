package org.ichtriage.dicom.codec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Hand-assembles little-endian encodings, so tests can state exactly which bytes a peer sent. */
final class Bytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Bytes u16(int v) {
        out.write(v);
        out.write(v >>> 8);
        return this;
    }

    Bytes u32(long v) {
        u16((int) (v & 0xFFFF));
        return u16((int) (v >>> 16 & 0xFFFF));
    }

    Bytes tag(int tag) {
        return u16(tag >>> 16).u16(tag & 0xFFFF);
    }

    Bytes raw(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    Bytes ascii(String s) {
        return raw(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** Explicit VR element with a short (16-bit) length. */
    Bytes explicitShort(int tag, String vr, byte[] value) {
        return tag(tag).ascii(vr).u16(value.length).raw(value);
    }

    /** Explicit VR header with a 32-bit length, value not included. */
    Bytes explicitLongHeader(int tag, String vr, long length) {
        return tag(tag).ascii(vr).u16(0).u32(length);
    }

    Bytes implicit(int tag, byte[] value) {
        return tag(tag).u32(value.length).raw(value);
    }

    Bytes item(long length) {
        return tag(Tag.Item).u32(length);
    }

    Bytes itemEnd() {
        return tag(Tag.ItemDelimitationItem).u32(0);
    }

    Bytes seqEnd() {
        return tag(Tag.SequenceDelimitationItem).u32(0);
    }

    byte[] toArray() {
        return out.toByteArray();
    }

    static byte[] a(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
