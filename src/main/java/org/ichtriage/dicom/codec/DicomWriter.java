package org.ichtriage.dicom.codec;

import java.util.List;

/**
 * Encodes datasets in Implicit or Explicit VR Little Endian, and Part 10 files.
 * Sequences and items are written with defined lengths, computed before writing, so output is one array
 * with no intermediate copies of pixel data.
 */
public final class DicomWriter {
    /** Ours; SH allows 16 characters. */
    public static final String IMPLEMENTATION_VERSION_NAME = "ICHTRIAGE_0_1";

    private static final int PREAMBLE = 128;

    private final boolean explicit;
    private byte[] out;
    private int pos;

    private DicomWriter(boolean explicit, long size) {
        this.explicit = explicit;
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("encoded dataset would be " + size + " bytes, more than an array holds");
        }
        this.out = new byte[(int) size];
    }

    /**
     * @throws IllegalArgumentException if the syntax is not Implicit/Explicit VR LE, or an element cannot be
     *                                  encoded (a value longer than 0xFFFFFFFE bytes)
     */
    public static byte[] writeDataset(DicomObject ds, String transferSyntaxUid) {
        boolean explicit = explicitOrThrow(transferSyntaxUid);
        DicomWriter w = new DicomWriter(explicit, datasetLength(ds, explicit, true));
        w.writeObject(ds, true);
        return w.out;
    }

    /** A Part 10 file: preamble, DICM, group 0002 (Explicit VR LE), then the dataset in the given syntax. */
    public static byte[] writePart10(DicomObject ds, String sopClassUid, String sopInstanceUid,
            String transferSyntaxUid) {
        byte[] header = fileMetaHeader(sopClassUid, sopInstanceUid, transferSyntaxUid, null);
        boolean explicit = explicitOrThrow(transferSyntaxUid);
        DicomWriter w = new DicomWriter(explicit, header.length + datasetLength(ds, explicit, true));
        System.arraycopy(header, 0, w.out, 0, header.length);
        w.pos = header.length;
        w.writeObject(ds, true);
        return w.out;
    }

    /**
     * Preamble, "DICM" and the group 0002 file meta information with a correct (0002,0000) group length,
     * so that dataset bytes received on the network can be appended unchanged.
     *
     * @param sourceAeTitle the (0002,0016) Source Application Entity Title, or null to omit it
     */
    public static byte[] fileMetaHeader(String sopClassUid, String sopInstanceUid, String transferSyntaxUid,
            String sourceAeTitle) {
        // the header is always Explicit VR LE; the dataset after it may be in any syntax the reader decodes
        if (!TransferSyntax.isSupported(transferSyntaxUid)) {
            throw new IllegalArgumentException("cannot label a dataset with transfer syntax " + transferSyntaxUid);
        }
        DicomObject meta = new DicomObject();
        meta.putBytes(Tag.FileMetaInformationVersion, VR.OB, new byte[] {0, 1});
        meta.putString(Tag.MediaStorageSOPClassUID, VR.UI, requireUid("SOP Class UID", sopClassUid));
        meta.putString(Tag.MediaStorageSOPInstanceUID, VR.UI, requireUid("SOP Instance UID", sopInstanceUid));
        meta.putString(Tag.TransferSyntaxUID, VR.UI, transferSyntaxUid);
        meta.putString(Tag.ImplementationClassUID, VR.UI, Uids.IMPLEMENTATION_CLASS_UID);
        meta.putString(Tag.ImplementationVersionName, VR.SH, IMPLEMENTATION_VERSION_NAME);
        if (sourceAeTitle != null && !sourceAeTitle.isBlank()) {
            meta.putString(Tag.SourceApplicationEntityTitle, VR.AE, sourceAeTitle.strip());
        }
        long groupLength = datasetLength(meta, true, false);
        meta.putInts(Tag.FileMetaInformationGroupLength, VR.UL, (int) groupLength);
        DicomWriter w = new DicomWriter(true, PREAMBLE + 4 + datasetLength(meta, true, false));
        w.pos = PREAMBLE;
        w.out[w.pos++] = 'D';
        w.out[w.pos++] = 'I';
        w.out[w.pos++] = 'C';
        w.out[w.pos++] = 'M';
        w.writeObject(meta, false);
        return w.out;
    }

    private static String requireUid(String what, String uid) {
        // UI is at most 64 bytes (PS3.5 6.2); anything longer or with control characters would corrupt the header.
        if (uid == null || uid.isEmpty() || uid.length() > 64 || !uid.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            throw new IllegalArgumentException(what + " is not a usable UID: " + (uid == null ? "null" : "'" + uid + "'"));
        }
        return uid;
    }

    private static boolean explicitOrThrow(String ts) {
        if (TransferSyntax.EXPLICIT_VR_LE.equals(ts)) {
            return true;
        }
        if (TransferSyntax.IMPLICIT_VR_LE.equals(ts)) {
            return false;
        }
        throw new IllegalArgumentException("cannot encode transfer syntax " + ts);
    }

    // File meta elements are always Explicit VR, and are skipped in a dataset written after a header.
    private static boolean skip(DicomElement e, boolean top) {
        return top && (e.tag() >>> 16) == 0x0002;
    }

    private static long datasetLength(DicomObject ds, boolean explicit, boolean top) {
        long n = 0;
        for (DicomElement e : ds) {
            if (!skip(e, top)) {
                n += elementLength(e, explicit);
            }
        }
        return n;
    }

    private static long elementLength(DicomElement e, boolean explicit) {
        return headerLength(e, explicit) + valueLength(e, explicit);
    }

    private static long valueLength(DicomElement e, boolean explicit) {
        if (e.items() == null) {
            return e.value().length;
        }
        long n = 0;
        for (DicomObject item : e.items()) {
            n += 8 + datasetLength(item, explicit, false);
        }
        return n;
    }

    private static VR wireVr(DicomElement e) {
        // A short-length VR cannot carry more than 65534 bytes; PS3.5 6.2.2 lets such a value travel as UN.
        return !e.vr().hasLongLength() && e.value() != null && e.value().length > 0xFFFF ? VR.UN : e.vr();
    }

    private static int headerLength(DicomElement e, boolean explicit) {
        return explicit && wireVr(e).hasLongLength() ? 12 : 8;
    }

    private void writeObject(DicomObject ds, boolean top) {
        if (ds.encapsulatedPixelData() != null) {
            // written with a defined length, the item sequence would read back as garbage pixels
            throw new IllegalArgumentException("encapsulated pixel data cannot be re-encoded in an uncompressed "
                    + "syntax; decode it with PixelData.frame and put the pixels first");
        }
        for (DicomElement e : ds) {
            if (!skip(e, top)) {
                writeElement(e);
            }
        }
    }

    private void writeElement(DicomElement e) {
        long len = valueLength(e, explicit);
        if (len > 0xFFFFFFFEL) {
            throw new IllegalArgumentException("element " + Tag.toString(e.tag()) + " value of " + len
                    + " bytes exceeds the 32-bit length field");
        }
        u16(e.tag() >>> 16);
        u16(e.tag() & 0xFFFF);
        if (explicit) {
            VR vr = wireVr(e);
            out[pos++] = (byte) vr.name().charAt(0);
            out[pos++] = (byte) vr.name().charAt(1);
            if (vr.hasLongLength()) {
                u16(0);
                u32(len);
            } else {
                u16((int) len);
            }
        } else {
            u32(len);
        }
        if (e.items() == null) {
            System.arraycopy(e.value(), 0, out, pos, e.value().length);
            pos += e.value().length;
            return;
        }
        List<DicomObject> items = e.items();
        for (DicomObject item : items) {
            u16(0xFFFE);
            u16(0xE000);
            u32(datasetLength(item, explicit, false));
            writeObject(item, false);
        }
    }

    private void u16(int v) {
        out[pos++] = (byte) v;
        out[pos++] = (byte) (v >>> 8);
    }

    private void u32(long v) {
        out[pos++] = (byte) v;
        out[pos++] = (byte) (v >>> 8);
        out[pos++] = (byte) (v >>> 16);
        out[pos++] = (byte) (v >>> 24);
    }
}
