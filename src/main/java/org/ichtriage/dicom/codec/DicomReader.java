package org.ichtriage.dicom.codec;

import java.util.ArrayList;
import java.util.List;

/**
 * Decodes Part 10 files and bare datasets in Implicit or Explicit VR Little Endian, and in the lossless compressed
 * syntaxes of {@link TransferSyntax#DECODED_COMPRESSED}, whose encapsulated Pixel Data is kept as received and
 * located by {@link EncapsulatedPixelData} (decoded on demand by {@link PixelData}).
 * Every length is checked against the bytes that remain in the enclosing item and against {@link DicomLimits}
 * before a value array is allocated, so memory is bounded by the input size however the input lies.
 */
public final class DicomReader {
    private static final int UNDEFINED = 0xFFFFFFFF;
    private static final int PREAMBLE = 128;

    private final byte[] b;
    private final DicomLimits limits;
    // Switched off while inside an undefined-length UN, whose content is Implicit VR LE whatever the syntax.
    private boolean explicit;
    // The compressed syntax whose Pixel Data comes encapsulated, or null for native pixel data.
    private final String encapsulatedSyntax;
    // False when only the attributes are wanted: the top-level Pixel Data is checked but its value not copied.
    private final boolean keepPixelData;

    private DicomReader(byte[] bytes, DicomLimits limits, String transferSyntaxUid) throws UnsupportedTransferSyntaxException {
        this(bytes, limits, transferSyntaxUid, true);
    }

    private DicomReader(byte[] bytes, DicomLimits limits, String transferSyntaxUid, boolean keepPixelData)
            throws UnsupportedTransferSyntaxException {
        this.b = bytes;
        this.limits = limits;
        this.explicit = TransferSyntax.isExplicit(transferSyntaxUid);
        this.encapsulatedSyntax = TransferSyntax.isDecodedCompressed(transferSyntaxUid) ? transferSyntaxUid : null;
        this.keepPixelData = keepPixelData;
    }

    /**
     * Reads a Part 10 file: 128-byte preamble, "DICM", group 0002 in Explicit VR LE, then the dataset.
     * Files that start directly with "DICM" or with the group 0002 elements (no preamble) are accepted too.
     *
     * @throws UnsupportedTransferSyntaxException for any syntax {@link TransferSyntax#isSupported} refuses
     * @throws DicomParseException                for malformed input
     */
    public static Part10File readPart10(byte[] bytes, DicomLimits limits) throws DicomException {
        checkTotal(bytes, limits);
        int pos;
        if (bytes.length >= PREAMBLE + 4 && isDicm(bytes, PREAMBLE)) {
            pos = PREAMBLE + 4;
        } else if (bytes.length >= 4 && isDicm(bytes, 0)) {
            pos = 4;
        } else if (bytes.length >= 8 && bytes[0] == 2 && bytes[1] == 0 && bytes[2] == 0 && bytes[3] == 0
                && VR.fromCode(bytes[4], bytes[5]) != null) {
            pos = 0;
        } else {
            throw new NotPart10Exception(Math.min(bytes.length, PREAMBLE), bytes.length);
        }
        DicomReader meta = new DicomReader(bytes, limits, TransferSyntax.EXPLICIT_VR_LE);
        DicomObject fileMeta = new DicomObject();
        int[] cursor = {pos};
        // Group 0002 ends where the first tag of another group begins; (0002,0000) is kept but not trusted,
        // since writers get it wrong more often than the elements themselves.
        while (cursor[0] + 4 <= bytes.length && meta.u16(cursor[0]) == 0x0002) {
            meta.readElement(fileMeta, cursor, bytes.length, 0, false);
        }
        String ts = fileMeta.getString(Tag.TransferSyntaxUID);
        if (ts == null) {
            throw new DicomParseException(Tag.TransferSyntaxUID, cursor[0],
                    "file meta information has no Transfer Syntax UID");
        }
        DicomObject ds = new DicomReader(bytes, limits, ts).readTop(cursor[0]);
        return new Part10File(fileMeta, ds, ts);
    }

    /** Reads a bare dataset (as in a P-DATA stream) in the given transfer syntax. */
    public static DicomObject readDataset(byte[] bytes, String transferSyntaxUid, DicomLimits limits)
            throws DicomException {
        checkTotal(bytes, limits);
        return new DicomReader(bytes, limits, transferSyntaxUid).readTop(0);
    }

    /**
     * Reads and checks a bare dataset exactly as {@link #readDataset} does, every length and limit included, but leaves
     * the value of the top-level Pixel Data (7FE0,0010) in the input: the result has every other attribute and no Pixel
     * Data. For a receiver that needs an instance's attributes now and its pixels only later, from the stored bytes,
     * this saves copying the largest value of the dataset (half a megabyte for a 512x512 slice).
     */
    public static DicomObject readDatasetAttributes(byte[] bytes, String transferSyntaxUid, DicomLimits limits)
            throws DicomException {
        checkTotal(bytes, limits);
        return new DicomReader(bytes, limits, transferSyntaxUid, false).readTop(0);
    }

    private static void checkTotal(byte[] bytes, DicomLimits limits) throws DicomParseException {
        if (bytes.length > limits.maxTotalLength()) {
            throw new DicomParseException(0, 0, "input of " + bytes.length + " bytes exceeds the limit of "
                    + limits.maxTotalLength());
        }
    }

    private static boolean isDicm(byte[] bytes, int at) {
        return bytes[at] == 'D' && bytes[at + 1] == 'I' && bytes[at + 2] == 'C' && bytes[at + 3] == 'M';
    }

    private DicomObject readTop(int pos) throws DicomParseException {
        DicomObject ds = new DicomObject();
        int[] cursor = {pos};
        while (cursor[0] < b.length) {
            readElement(ds, cursor, b.length, 0, false);
        }
        if (!explicit) {
            resolveUsOrSs(ds, ds.getInt(Tag.PixelRepresentation, 0));
        }
        return ds;
    }

    /**
     * Reads one element at cursor into ds, bounded by end. Returns true if it was an item delimiter
     * (only legal, and only consumed, when inUndefinedItem).
     */
    private boolean readElement(DicomObject ds, int[] cursor, int end, int depth, boolean inUndefinedItem)
            throws DicomParseException {
        int pos = cursor[0];
        need(0, pos, 4, end, "tag");
        int tag = tag(pos);
        if (tag == Tag.ItemDelimitationItem) {
            if (!inUndefinedItem) {
                throw new DicomParseException(tag, pos, "item delimitation outside an undefined-length item");
            }
            need(tag, pos, 8, end, "item delimitation length");
            cursor[0] = pos + 8;
            return true;
        }
        if ((tag >>> 16) == 0xFFFE) {
            throw new DicomParseException(tag, pos, "item or delimitation tag where a data element was expected");
        }
        VR vr;
        long length;
        int valuePos;
        if (explicit) {
            need(tag, pos, 8, end, "explicit VR header");
            vr = VR.fromCode(b[pos + 4], b[pos + 5]);
            if (vr == null) {
                throw new DicomParseException(tag, pos + 4, String.format("unknown VR code 0x%02X%02X",
                        b[pos + 4] & 0xFF, b[pos + 5] & 0xFF));
            }
            if (vr.hasLongLength()) {
                need(tag, pos, 12, end, "explicit VR long header");
                length = u32(pos + 8);
                valuePos = pos + 12;
            } else {
                length = u16(pos + 6);
                valuePos = pos + 8;
            }
        } else {
            need(tag, pos, 8, end, "implicit VR header");
            vr = VR.forTag(tag);
            length = u32(pos + 4);
            valuePos = pos + 8;
        }
        if (length == 0xFFFFFFFFL) {
            if (tag == Tag.PixelData && (vr == VR.OB || vr == VR.OW || vr == VR.UN)) {
                if (encapsulatedSyntax == null) {
                    throw new DicomParseException(tag, pos,
                            "undefined-length (encapsulated) pixel data in an uncompressed transfer syntax");
                }
                readEncapsulated(ds, cursor, valuePos, end, depth);
                return false;
            }
            if (vr != VR.SQ && vr != VR.UN) {
                throw new DicomParseException(tag, pos, "undefined length is not allowed for VR " + vr);
            }
            // An undefined-length UN is a sequence encoded in Implicit VR LE (PS3.5 6.2.2); we keep it as SQ.
            boolean wasExplicit = explicit;
            if (vr == VR.UN) {
                explicit = false;
            }
            List<DicomObject> items;
            try {
                items = readSequence(tag, valuePos, -1, end, depth + 1, cursor, ds);
            } finally {
                explicit = wasExplicit;
            }
            ds.putElement(new DicomElement(tag, VR.SQ, null, items));
            return false;
        }
        if (length > end - valuePos) {
            throw new DicomParseException(tag, pos, "length " + length + " exceeds remaining "
                    + Math.max(0, end - valuePos) + " bytes");
        }
        if (length > limits.maxElementLength()) {
            throw new DicomParseException(tag, pos, "length " + length + " exceeds the element limit of "
                    + limits.maxElementLength());
        }
        int len = (int) length;
        if (vr == VR.SQ) {
            List<DicomObject> items = readSequence(tag, valuePos, len, valuePos + len, depth + 1, cursor, ds);
            ds.putElement(new DicomElement(tag, VR.SQ, null, items));
            return false;
        }
        if (tag == Tag.PixelData && !keepPixelData && depth == 0) {
            cursor[0] = valuePos + len;
            return false;
        }
        byte[] value = new byte[len];
        System.arraycopy(b, valuePos, value, 0, len);
        ds.putRaw(tag, vr, value);
        cursor[0] = valuePos + len;
        return false;
    }

    /**
     * Keeps the encapsulated value as received (items through the sequence delimiter, as VR OB) and records
     * where its fragments lie, so that the pixels can be decoded later and the bytes forwarded unchanged.
     */
    private void readEncapsulated(DicomObject ds, int[] cursor, int valuePos, int end, int depth) throws DicomParseException {
        int[] after = new int[1];
        EncapsulatedPixelData epd = EncapsulatedPixelData.parse(encapsulatedSyntax, b, valuePos, end, valuePos,
                limits.maxItemsPerSequence(), after);
        int len = after[0] - valuePos;
        if (len > limits.maxElementLength()) {
            throw new DicomParseException(Tag.PixelData, valuePos, "encapsulated pixel data of " + len
                    + " bytes exceeds the element limit of " + limits.maxElementLength());
        }
        if (!keepPixelData && depth == 0) {
            cursor[0] = after[0];
            return;
        }
        byte[] value = new byte[len];
        System.arraycopy(b, valuePos, value, 0, len);
        ds.putEncapsulated(value, epd);
        cursor[0] = after[0];
    }

    /**
     * Reads the items of a sequence whose value starts at pos; definedLength is -1 for undefined length,
     * in which case the sequence must end with a delimiter before end. Leaves cursor after the sequence.
     */
    private List<DicomObject> readSequence(int seqTag, int pos, int definedLength, int end, int depth, int[] cursor,
            DicomObject parent) throws DicomParseException {
        if (depth > limits.maxSequenceDepth()) {
            throw new DicomParseException(seqTag, pos, "sequence nesting depth " + depth + " exceeds the limit of "
                    + limits.maxSequenceDepth());
        }
        String[] charset = parent.characterSetForItems();
        List<DicomObject> items = new ArrayList<>();
        int seqEnd = definedLength >= 0 ? pos + definedLength : end;
        while (true) {
            if (definedLength >= 0 && pos == seqEnd) {
                break;
            }
            if (pos + 8 > seqEnd) {
                throw new DicomParseException(seqTag, pos, definedLength >= 0
                        ? "sequence items overrun the sequence's length"
                        : "undefined-length sequence not terminated before end of data");
            }
            int itemTag = tag(pos);
            long itemLen = u32(pos + 4);
            if (itemTag == Tag.SequenceDelimitationItem) {
                if (definedLength >= 0) {
                    throw new DicomParseException(seqTag, pos, "sequence delimiter inside a defined-length sequence");
                }
                pos += 8;
                break;
            }
            if (itemTag != Tag.Item) {
                throw new DicomParseException(seqTag, pos, "expected an item tag (FFFE,E000) in the sequence, found "
                        + Tag.toString(itemTag));
            }
            if (items.size() >= limits.maxItemsPerSequence()) {
                throw new DicomParseException(seqTag, pos, "more than " + limits.maxItemsPerSequence()
                        + " items in the sequence");
            }
            DicomObject item = new DicomObject();
            item.inheritCharacterSet(charset);
            int[] c = {pos + 8};
            if (itemLen == 0xFFFFFFFFL) {
                while (true) {
                    if (c[0] >= seqEnd) {
                        throw new DicomParseException(seqTag, c[0],
                                "undefined-length item not terminated before end of data");
                    }
                    if (readElement(item, c, seqEnd, depth, true)) {
                        break;
                    }
                }
            } else {
                if (itemLen > seqEnd - c[0]) {
                    throw new DicomParseException(seqTag, pos, "item length " + itemLen + " exceeds remaining "
                            + (seqEnd - c[0]) + " bytes");
                }
                int itemEnd = c[0] + (int) itemLen;
                while (c[0] < itemEnd) {
                    readElement(item, c, itemEnd, depth, false);
                }
            }
            items.add(item);
            pos = c[0];
        }
        cursor[0] = pos;
        return items;
    }

    /** Implicit VR cannot tell US from SS; Pixel Representation 1 (signed) makes the pixel-value tags SS. */
    private static void resolveUsOrSs(DicomObject ds, int pixelRepresentation) {
        int pr = ds.getInt(Tag.PixelRepresentation, pixelRepresentation);
        List<DicomElement> fix = new ArrayList<>();
        for (DicomElement e : ds) {
            if (e.items() != null) {
                for (DicomObject item : e.items()) {
                    resolveUsOrSs(item, pr);
                }
            } else if (pr == 1 && e.vr() == VR.US && VR.isUsOrSs(e.tag())) {
                fix.add(new DicomElement(e.tag(), VR.SS, e.value(), null));
            }
        }
        fix.forEach(ds::putElement);
    }

    private void need(int tag, int pos, int n, int end, String what) throws DicomParseException {
        if (pos > end - n) {
            throw new DicomParseException(tag, pos, "truncated " + what + ": need " + n + " bytes, "
                    + Math.max(0, end - pos) + " remain");
        }
    }

    private int u16(int p) {
        return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8;
    }

    private long u32(int p) {
        return ((b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF) << 16 | (long) (b[p + 3] & 0xFF) << 24);
    }

    private int tag(int p) {
        return u16(p) << 16 | u16(p + 2);
    }

    /**
     * Where the dataset starts in Part 10 bytes: the end of the File Meta group (0002), walked element
     * by element in Explicit VR Little Endian, since its group length is not to be trusted. Lets a
     * sender pass the dataset on exactly as it was received, without re-encoding it.
     */
    public static int datasetOffset(byte[] b) throws DicomParseException {
        int p = b.length >= 132 && b[128] == 'D' && b[129] == 'I' && b[130] == 'C' && b[131] == 'M' ? 132
                : b.length >= 4 && b[0] == 'D' && b[1] == 'I' && b[2] == 'C' && b[3] == 'M' ? 4 : 0;
        while (p + 2 <= b.length && b[p] == 2 && b[p + 1] == 0) {
            if (p + 8 > b.length) {
                throw new DicomParseException(0x00020000, p, "file meta element header cut off at the end");
            }
            VR vr = VR.fromCode(b[p + 4], b[p + 5]);
            boolean longForm = vr != null && vr.hasLongLength();
            int hdr = longForm ? 12 : 8;
            if (p + hdr > b.length) {
                throw new DicomParseException(0x00020000 | (b[p + 2] & 0xFF) | ((b[p + 3] & 0xFF) << 8), p,
                        "file meta element header cut off at the end");
            }
            long len = longForm
                    ? (b[p + 8] & 0xFFL) | ((b[p + 9] & 0xFFL) << 8) | ((b[p + 10] & 0xFFL) << 16) | ((b[p + 11] & 0xFFL) << 24)
                    : (b[p + 6] & 0xFF) | ((b[p + 7] & 0xFF) << 8);
            if (len > b.length - p - hdr) {
                throw new DicomParseException(0x00020000 | (b[p + 2] & 0xFF) | ((b[p + 3] & 0xFF) << 8), p,
                        "file meta element runs past the end");
            }
            p += hdr + (int) len;
        }
        return p;
    }
}
