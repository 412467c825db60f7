package org.ichtriage.dicom.codec;

import java.util.ArrayList;
import java.util.List;

/**
 * The item structure of encapsulated (compressed) Pixel Data (PS3.5 A.4): a Basic Offset Table item, then
 * fragments. It locates fragments inside the element's value, which stays the bytes exactly as received.
 *
 * @param transferSyntaxUid the syntax the fragments are compressed in
 * @param valueOffset       where the element's value starts in the input, for error offsets
 * @param basicOffsetTable  frame start offsets, relative to the first fragment's item tag; empty when absent
 * @param fragments         the fragments in order
 */
public record EncapsulatedPixelData(String transferSyntaxUid, long valueOffset, List<Long> basicOffsetTable,
                                    List<Fragment> fragments) {
    /**
     * One fragment: where its bytes lie in the element's value, and where its item tag lies relative to the
     * first fragment's item tag (the coordinate the Basic Offset Table uses).
     */
    public record Fragment(int valueStart, int length, long itemOffset) {
    }

    public EncapsulatedPixelData {
        basicOffsetTable = List.copyOf(basicOffsetTable);
        fragments = List.copyOf(fragments);
    }

    /**
     * Parses the items of an encapsulated value ({@code b[start..end)}, from the first item tag up to and
     * including the sequence delimiter). Every length is checked against what remains.
     *
     * @param inputOffset where b[start] lies in the original input, for error offsets
     * @param endOut      receives, in [0], the position just after the sequence delimiter
     */
    static EncapsulatedPixelData parse(String ts, byte[] b, int start, int end, long inputOffset, int maxFragments,
            int[] endOut) throws PixelDataException {
        int pos = start;
        List<Long> offsets = new ArrayList<>();
        List<Fragment> fragments = new ArrayList<>();
        boolean first = true;
        int firstFragment = -1;
        while (true) {
            if (end - pos < 8) {
                throw new PixelDataException(inputOffset + pos - start,
                        "encapsulated pixel data not terminated by a sequence delimiter before the end of data");
            }
            int tag = u16(b, pos) << 16 | u16(b, pos + 2);
            long len = u32(b, pos + 4);
            if (tag == Tag.SequenceDelimitationItem) {
                if (first) {
                    throw new PixelDataException(inputOffset + pos - start,
                            "encapsulated pixel data has no Basic Offset Table item");
                }
                endOut[0] = pos + 8;
                return new EncapsulatedPixelData(ts, inputOffset, offsets, fragments);
            }
            if (tag != Tag.Item) {
                throw new PixelDataException(inputOffset + pos - start,
                        "expected an item (FFFE,E000) in encapsulated pixel data, found " + Tag.toString(tag));
            }
            if (len > end - pos - 8) {
                throw new PixelDataException(inputOffset + pos - start, "item length " + len + " exceeds remaining "
                        + (end - pos - 8) + " bytes");
            }
            int valueStart = pos + 8;
            if (first) {
                if (len % 4 != 0) {
                    throw new PixelDataException(inputOffset + pos - start,
                            "Basic Offset Table length " + len + " is not a multiple of 4");
                }
                for (int p = valueStart; p < valueStart + len; p += 4) {
                    offsets.add(u32(b, p));
                }
                first = false;
            } else {
                if (fragments.size() >= maxFragments) {
                    throw new PixelDataException(inputOffset + pos - start, "more than " + maxFragments + " fragments");
                }
                if (firstFragment < 0) {
                    firstFragment = pos;
                }
                fragments.add(new Fragment(valueStart - start, (int) len, pos - firstFragment));
            }
            pos = valueStart + (int) len;
        }
    }

    private static int u16(byte[] b, int p) {
        return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8;
    }

    private static long u32(byte[] b, int p) {
        return (b[p] & 0xFFL) | (b[p + 1] & 0xFFL) << 8 | (b[p + 2] & 0xFFL) << 16 | (b[p + 3] & 0xFFL) << 24;
    }
}
