package org.ichtriage.dicom.net;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Encoding and bounded decoding of the PS3.8 Upper Layer PDUs. Every length read from the wire is
 * checked against what is left and against the caller's limit before a buffer is allocated.
 */
public final class Pdus {
    public static final int A_ASSOCIATE_RQ = 0x01;
    public static final int A_ASSOCIATE_AC = 0x02;
    public static final int A_ASSOCIATE_RJ = 0x03;
    public static final int P_DATA_TF = 0x04;
    public static final int A_RELEASE_RQ = 0x05;
    public static final int A_RELEASE_RP = 0x06;
    public static final int A_ABORT = 0x07;

    public static final String APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1";
    /** Association negotiation PDUs are small; 64 KiB leaves room for hundreds of presentation contexts. */
    public static final int MAX_ASSOCIATE_PDU_LENGTH = 64 * 1024;
    /** PS3.8 9.3.1: the PDU length field is 4 bytes, but anything whose variable part is this small fits. */
    public static final int HEADER_LENGTH = 6;
    /** Derived from a fixed UUID (PS3.5 B.2), so that no registered org root is needed. */
    // one identity for the whole implementation: the same UID and name as in the files we write
    public static final String IMPLEMENTATION_CLASS_UID = org.ichtriage.dicom.codec.Uids.IMPLEMENTATION_CLASS_UID;
    public static final String IMPLEMENTATION_VERSION = org.ichtriage.dicom.codec.DicomWriter.IMPLEMENTATION_VERSION_NAME;

    private Pdus() {
    }

    /**
     * Reads one PDU. {@code maxPDataLength} bounds P-DATA-TF bodies (our negotiated receive
     * limit); association PDUs are bounded by {@link #MAX_ASSOCIATE_PDU_LENGTH} and the fixed-size
     * ones must be exactly 4 bytes. Returns null on a clean end of stream before the first byte.
     */
    public static RawPdu read(InputStream in, long maxPDataLength) throws IOException {
        byte[] h = new byte[HEADER_LENGTH];
        int first = in.read();
        if (first < 0) {
            return null;
        }
        h[0] = (byte) first;
        readFully(in, h, 1, HEADER_LENGTH - 1);
        int type = h[0] & 0xFF;
        long len = ((h[2] & 0xFFL) << 24) | ((h[3] & 0xFFL) << 16) | ((h[4] & 0xFFL) << 8) | (h[5] & 0xFFL);
        long limit = switch (type) {
            case A_ASSOCIATE_RQ, A_ASSOCIATE_AC -> MAX_ASSOCIATE_PDU_LENGTH;
            case P_DATA_TF -> maxPDataLength;
            case A_ASSOCIATE_RJ, A_RELEASE_RQ, A_RELEASE_RP, A_ABORT -> 4;
            default -> throw new PduException("unrecognized PDU type 0x" + Integer.toHexString(type),
                    Abort.REASON_UNRECOGNIZED_PDU, 0);
        };
        if (len > limit) {
            throw new PduException("PDU type 0x" + Integer.toHexString(type) + " length " + len
                    + " exceeds limit " + limit, Abort.REASON_INVALID_PDU_PARAMETER_VALUE, 2);
        }
        if (limit == 4 && len != 4) {
            throw new PduException("PDU type 0x" + Integer.toHexString(type) + " length " + len + " is not 4",
                    Abort.REASON_INVALID_PDU_PARAMETER_VALUE, 2);
        }
        byte[] body = new byte[(int) len];
        readFully(in, body, 0, body.length);
        return new RawPdu(type, body);
    }

    private static void readFully(InputStream in, byte[] b, int off, int len) throws IOException {
        int n = in.readNBytes(b, off, len);
        if (n < len) {
            throw new EOFException("connection closed inside a PDU (" + n + " of " + len + " bytes)");
        }
    }

    // ---------------------------------------------------------------- association PDUs

    public static AssociateRq decodeAssociateRq(byte[] b) throws PduException {
        Header hd = decodeAssociateHeader(b);
        List<PresentationContextRq> pcs = new ArrayList<>();
        String appCtx = null;
        UserInfo ui = null;
        int p = 68;
        while (p < b.length) {
            Item it = item(b, p);
            switch (it.type) {
                case 0x10 -> appCtx = ascii(b, it.start, it.len);
                case 0x20 -> pcs.add(decodePcRq(b, it));
                case 0x50 -> ui = decodeUserInfo(b, it);
                default -> { } // PS3.8 9.3.1: unknown items are ignored
            }
            p = it.start + it.len;
        }
        if (appCtx == null) {
            throw new PduException("A-ASSOCIATE-RQ without application context item", Abort.REASON_INVALID_PDU_PARAMETER_VALUE, -1);
        }
        if (ui == null) {
            throw new PduException("A-ASSOCIATE-RQ without user information item", Abort.REASON_INVALID_PDU_PARAMETER_VALUE, -1);
        }
        return new AssociateRq(hd.called, hd.calling, appCtx, pcs, ui);
    }

    public static AssociateAc decodeAssociateAc(byte[] b) throws PduException {
        Header hd = decodeAssociateHeader(b);
        List<PresentationContextAc> pcs = new ArrayList<>();
        String appCtx = null;
        UserInfo ui = new UserInfo(0, null, null);
        int p = 68;
        while (p < b.length) {
            Item it = item(b, p);
            switch (it.type) {
                case 0x10 -> appCtx = ascii(b, it.start, it.len);
                case 0x21 -> {
                    if (it.len < 4) {
                        throw new PduException("presentation context AC item too short", Abort.REASON_INVALID_PDU_PARAMETER_VALUE, it.start + HEADER_LENGTH);
                    }
                    int id = b[it.start] & 0xFF;
                    int result = b[it.start + 2] & 0xFF;
                    String ts = null;
                    int q = it.start + 4;
                    while (q < it.start + it.len) {
                        Item sub = subItem(b, q, it.start + it.len);
                        if (sub.type == 0x40) {
                            ts = ascii(b, sub.start, sub.len);
                        }
                        q = sub.start + sub.len;
                    }
                    pcs.add(new PresentationContextAc(id, result, ts));
                }
                case 0x50 -> ui = decodeUserInfo(b, it);
                default -> { }
            }
            p = it.start + it.len;
        }
        return new AssociateAc(hd.called, hd.calling, appCtx, pcs, ui);
    }

    public static AssociateRj decodeAssociateRj(byte[] b) {
        return new AssociateRj(b[1] & 0xFF, b[2] & 0xFF, b[3] & 0xFF);
    }

    public static Abort decodeAbort(byte[] b) {
        return new Abort(b[2] & 0xFF, b[3] & 0xFF);
    }

    private record Header(String called, String calling) {
    }

    private record Item(int type, int start, int len) {
    }

    private static Header decodeAssociateHeader(byte[] b) throws PduException {
        if (b.length < 68) {
            throw new PduException("association PDU shorter than its fixed part (" + b.length + " < 68)",
                    Abort.REASON_INVALID_PDU_PARAMETER_VALUE, HEADER_LENGTH);
        }
        int version = ((b[0] & 0xFF) << 8) | (b[1] & 0xFF);
        if ((version & 1) == 0) {
            throw new PduException("protocol version 0x" + Integer.toHexString(version) + " lacks bit 0",
                    Abort.REASON_INVALID_PDU_PARAMETER_VALUE, HEADER_LENGTH);
        }
        return new Header(ascii(b, 4, 16), ascii(b, 20, 16));
    }

    private static Item item(byte[] b, int p) throws PduException {
        return subItem(b, p, b.length);
    }

    private static Item subItem(byte[] b, int p, int end) throws PduException {
        if (end - p < 4) {
            throw new PduException("truncated item header", Abort.REASON_INVALID_PDU_PARAMETER_VALUE, p + HEADER_LENGTH);
        }
        int type = b[p] & 0xFF;
        int len = ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
        if (len > end - p - 4) {
            throw new PduException("item 0x" + Integer.toHexString(type) + " length " + len + " runs past its container",
                    Abort.REASON_INVALID_PDU_PARAMETER_VALUE, p + HEADER_LENGTH);
        }
        return new Item(type, p + 4, len);
    }

    private static PresentationContextRq decodePcRq(byte[] b, Item it) throws PduException {
        if (it.len < 4) {
            throw new PduException("presentation context RQ item too short", Abort.REASON_INVALID_PDU_PARAMETER_VALUE, it.start + HEADER_LENGTH);
        }
        int id = b[it.start] & 0xFF;
        String as = null;
        List<String> ts = new ArrayList<>();
        int q = it.start + 4;
        int end = it.start + it.len;
        while (q < end) {
            Item sub = subItem(b, q, end);
            if (sub.type == 0x30) {
                as = ascii(b, sub.start, sub.len);
            } else if (sub.type == 0x40) {
                ts.add(ascii(b, sub.start, sub.len));
            }
            q = sub.start + sub.len;
        }
        if (as == null || ts.isEmpty()) {
            throw new PduException("presentation context " + id + " lacks abstract or transfer syntax",
                    Abort.REASON_INVALID_PDU_PARAMETER_VALUE, it.start + HEADER_LENGTH);
        }
        return new PresentationContextRq(id, as, ts);
    }

    private static UserInfo decodeUserInfo(byte[] b, Item it) throws PduException {
        long max = 0;
        String implUid = null;
        String implVer = null;
        int q = it.start;
        int end = it.start + it.len;
        while (q < end) {
            Item sub = subItem(b, q, end);
            switch (sub.type) {
                case 0x51 -> {
                    if (sub.len != 4) {
                        throw new PduException("maximum length sub-item length " + sub.len + " is not 4",
                                Abort.REASON_INVALID_PDU_PARAMETER_VALUE, sub.start + HEADER_LENGTH);
                    }
                    max = ((b[sub.start] & 0xFFL) << 24) | ((b[sub.start + 1] & 0xFFL) << 16)
                            | ((b[sub.start + 2] & 0xFFL) << 8) | (b[sub.start + 3] & 0xFFL);
                }
                case 0x52 -> implUid = ascii(b, sub.start, sub.len);
                case 0x55 -> implVer = ascii(b, sub.start, sub.len);
                default -> { }
            }
            q = sub.start + sub.len;
        }
        return new UserInfo(max, implUid, implVer);
    }

    /** UIDs may be padded with NUL, AE titles with spaces (PS3.8 9.3.2, PS3.5 6.2). */
    private static String ascii(byte[] b, int off, int len) {
        int end = off + len;
        while (end > off && (b[end - 1] == 0 || b[end - 1] == ' ')) {
            end--;
        }
        int start = off;
        while (start < end && b[start] == ' ') {
            start++;
        }
        return new String(b, start, end - start, StandardCharsets.US_ASCII);
    }

    public static byte[] encodeAssociateRq(AssociateRq rq) {
        ByteArrayOutputStream items = new ByteArrayOutputStream();
        writeItem(items, 0x10, ascii(rq.applicationContext()));
        for (PresentationContextRq pc : rq.presentationContexts()) {
            ByteArrayOutputStream v = new ByteArrayOutputStream();
            v.write(pc.id());
            v.write(0);
            v.write(0);
            v.write(0);
            writeItem(v, 0x30, ascii(pc.abstractSyntax()));
            for (String ts : pc.transferSyntaxes()) {
                writeItem(v, 0x40, ascii(ts));
            }
            writeItem(items, 0x20, v.toByteArray());
        }
        writeItem(items, 0x50, encodeUserInfo(rq.userInfo()));
        return associatePdu(A_ASSOCIATE_RQ, rq.calledAet(), rq.callingAet(), items.toByteArray());
    }

    public static byte[] encodeAssociateAc(AssociateAc ac) {
        ByteArrayOutputStream items = new ByteArrayOutputStream();
        writeItem(items, 0x10, ascii(ac.applicationContext()));
        for (PresentationContextAc pc : ac.presentationContexts()) {
            ByteArrayOutputStream v = new ByteArrayOutputStream();
            v.write(pc.id());
            v.write(0);
            v.write(pc.result());
            v.write(0);
            // PS3.8 9.3.3.2: exactly one transfer syntax sub-item, ignored when not accepted
            writeItem(v, 0x40, ascii(pc.transferSyntax() == null ? "" : pc.transferSyntax()));
            writeItem(items, 0x21, v.toByteArray());
        }
        writeItem(items, 0x50, encodeUserInfo(ac.userInfo()));
        return associatePdu(A_ASSOCIATE_AC, ac.calledAet(), ac.callingAet(), items.toByteArray());
    }

    private static byte[] encodeUserInfo(UserInfo ui) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        long m = ui.maxPduLength();
        writeItem(v, 0x51, new byte[] {(byte) (m >>> 24), (byte) (m >>> 16), (byte) (m >>> 8), (byte) m});
        if (ui.implementationClassUid() != null) {
            writeItem(v, 0x52, ascii(ui.implementationClassUid()));
        }
        if (ui.implementationVersionName() != null) {
            writeItem(v, 0x55, ascii(ui.implementationVersionName()));
        }
        return v.toByteArray();
    }

    private static byte[] associatePdu(int type, String called, String calling, byte[] items) {
        int len = 68 + items.length;
        byte[] out = new byte[HEADER_LENGTH + len];
        header(out, type, len);
        out[6] = 0;
        out[7] = 1;
        aeField(out, 10, called);
        aeField(out, 26, calling);
        System.arraycopy(items, 0, out, HEADER_LENGTH + 68, items.length);
        return out;
    }

    private static void aeField(byte[] out, int off, String ae) {
        byte[] a = ascii(ae);
        for (int i = 0; i < 16; i++) {
            out[off + i] = i < a.length ? a[i] : (byte) ' ';
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static void writeItem(ByteArrayOutputStream o, int type, byte[] v) {
        o.write(type);
        o.write(0);
        o.write(v.length >>> 8);
        o.write(v.length);
        o.write(v, 0, v.length);
    }

    private static void header(byte[] out, int type, long len) {
        out[0] = (byte) type;
        out[1] = 0;
        out[2] = (byte) (len >>> 24);
        out[3] = (byte) (len >>> 16);
        out[4] = (byte) (len >>> 8);
        out[5] = (byte) len;
    }

    public static byte[] encodeAssociateRj(AssociateRj rj) {
        return fixed(A_ASSOCIATE_RJ, 0, rj.result(), rj.source(), rj.reason());
    }

    public static byte[] encodeAbort(Abort a) {
        return fixed(A_ABORT, 0, 0, a.source(), a.reason());
    }

    public static byte[] releaseRq() {
        return fixed(A_RELEASE_RQ, 0, 0, 0, 0);
    }

    public static byte[] releaseRp() {
        return fixed(A_RELEASE_RP, 0, 0, 0, 0);
    }

    private static byte[] fixed(int type, int b0, int b1, int b2, int b3) {
        byte[] out = new byte[10];
        header(out, type, 4);
        out[6] = (byte) b0;
        out[7] = (byte) b1;
        out[8] = (byte) b2;
        out[9] = (byte) b3;
        return out;
    }

    // ---------------------------------------------------------------- P-DATA-TF

    /** Splits a P-DATA-TF body into its PDVs without copying. */
    public static List<Pdv> decodePData(byte[] b) throws PduException {
        List<Pdv> out = new ArrayList<>(2);
        int p = 0;
        while (p < b.length) {
            if (b.length - p < 6) {
                throw new PduException("truncated PDV header", Abort.REASON_INVALID_PDU_PARAMETER_VALUE, p + HEADER_LENGTH);
            }
            long len = ((b[p] & 0xFFL) << 24) | ((b[p + 1] & 0xFFL) << 16) | ((b[p + 2] & 0xFFL) << 8) | (b[p + 3] & 0xFFL);
            if (len < 2 || len > b.length - p - 4) {
                throw new PduException("PDV length " + len + " does not fit its PDU", Abort.REASON_INVALID_PDU_PARAMETER_VALUE, p + HEADER_LENGTH);
            }
            int pcid = b[p + 4] & 0xFF;
            int mch = b[p + 5] & 0xFF;
            if ((mch & 0xFC) != 0 || (pcid & 1) == 0) {
                throw new PduException("invalid PDV (context " + pcid + ", control 0x" + Integer.toHexString(mch) + ")",
                        Abort.REASON_INVALID_PDU_PARAMETER_VALUE, p + 4 + HEADER_LENGTH);
            }
            out.add(new Pdv(pcid, (mch & 1) != 0, (mch & 2) != 0, b, p + 6, (int) len - 2));
            p += 4 + (int) len;
        }
        if (out.isEmpty()) {
            throw new PduException("P-DATA-TF without PDV", Abort.REASON_INVALID_PDU_PARAMETER_VALUE, HEADER_LENGTH);
        }
        return out;
    }

    /**
     * Writes one message (command or dataset) as P-DATA-TF PDUs of one PDV each, split so that
     * no PDU variable field exceeds {@code maxPduLength} (the peer's receive limit; 0 = none).
     */
    public static void writeMessage(OutputStream out, int pcid, boolean command, byte[] data, int off, int len,
                                    long maxPduLength) throws IOException {
        long cap = maxPduLength <= 0 ? (1 << 20) : Math.min(maxPduLength, Integer.MAX_VALUE - 16);
        int maxFragment = (int) Math.max(cap - 6, 1);
        byte[] hdr = new byte[12];
        int p = off;
        int end = off + len;
        do {
            int n = Math.min(maxFragment, end - p);
            boolean last = p + n == end;
            header(hdr, P_DATA_TF, n + 6L);
            long pdvLen = n + 2L;
            hdr[6] = (byte) (pdvLen >>> 24);
            hdr[7] = (byte) (pdvLen >>> 16);
            hdr[8] = (byte) (pdvLen >>> 8);
            hdr[9] = (byte) pdvLen;
            hdr[10] = (byte) pcid;
            hdr[11] = (byte) ((command ? 1 : 0) | (last ? 2 : 0));
            out.write(hdr);
            out.write(data, p, n);
            p += n;
        } while (p < end);
    }
}
