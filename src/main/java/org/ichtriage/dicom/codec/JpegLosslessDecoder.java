package org.ichtriage.dicom.codec;

/**
 * JPEG lossless, non-hierarchical, Huffman-coded (ITU T.81 Annex H, process 14): one component, 2 to 16 bits,
 * predictors 1 to 7, point transform, restart intervals. Written for DICOM's JPEG Lossless transfer syntaxes
 * (1.2.840.10008.1.2.4.57 and .70). The frame size comes from the DICOM header, and the stream must agree
 * with it, so the output is allocated once, at the size the header declared; every read is bounds-checked.
 */
final class JpegLosslessDecoder {
    private static final int SOI = 0xD8;
    private static final int EOI = 0xD9;
    private static final int SOF3 = 0xC3;
    private static final int DHT = 0xC4;
    private static final int SOS = 0xDA;
    private static final int DRI = 0xDD;
    private static final int DQT = 0xDB;
    private static final int DNL = 0xDC;
    private static final int COM = 0xFE;

    private final byte[] in;
    private final int end;
    private final long base;
    private final FrameGeometry geometry;
    private int pos;

    private final HuffmanTable[] tables = new HuffmanTable[4];
    private int precision;
    private int componentId = -1;
    private int restartInterval;
    // from the scan header
    private int predictor;
    private int pointTransform;
    private HuffmanTable table;

    // entropy-coded segment reader: up to 64 bits read ahead; at a marker or the end of data it pads with zero
    // bits and counts them, and consuming any of those is the error (so a look-ahead never fails a valid stream)
    private long bitBuffer;
    private int bitCount;
    private int paddingBits;
    private boolean dataEnded;

    private JpegLosslessDecoder(byte[] in, int start, int length, long inputOffset, FrameGeometry geometry) {
        this.in = in;
        this.pos = start;
        this.end = start + length;
        this.base = inputOffset - start;
        this.geometry = geometry;
    }

    /**
     * Decodes one frame into native little-endian samples of {@code geometry.bitsAllocated()} bits.
     *
     * @param inputOffset where {@code in[start]} lies in the original input, for error offsets
     */
    static byte[] decode(byte[] in, int start, int length, long inputOffset, FrameGeometry geometry)
            throws PixelDataException {
        if (geometry.samplesPerPixel() != 1) {
            throw new PixelDataException(inputOffset, "JPEG Lossless with " + geometry.samplesPerPixel()
                    + " samples per pixel (only single-component images are decoded)");
        }
        return new JpegLosslessDecoder(in, start, length, inputOffset, geometry).run();
    }

    private byte[] run() throws PixelDataException {
        if (end - pos < 2 || (in[pos] & 0xFF) != 0xFF || (in[pos + 1] & 0xFF) != SOI) {
            throw fail(pos, "JPEG stream does not start with SOI (FFD8)");
        }
        pos += 2;
        while (true) {
            int markerAt = pos;
            int marker = nextMarker();
            switch (marker) {
                case SOF3 -> readFrameHeader(segment(markerAt));
                case DHT -> readHuffmanTables(segment(markerAt));
                case DRI -> readRestartInterval(segment(markerAt));
                case SOS -> {
                    int len = segment(markerAt);
                    readScanHeaderAndCheck(len);
                    return decodeScan();
                }
                case DQT, COM -> pos += segment(markerAt);
                case EOI -> throw fail(markerAt, "JPEG stream ends (EOI) before any scan");
                case DNL -> throw fail(markerAt, "DNL marker (height defined after the scan) is not supported");
                default -> {
                    if (marker >= 0xE0 && marker <= 0xEF) {
                        pos += segment(markerAt);
                    } else if (isOtherFrameHeader(marker)) {
                        throw fail(markerAt, String.format("JPEG frame header SOF%d (FF%02X): not lossless process 14",
                                marker - 0xC0, marker));
                    } else {
                        throw fail(markerAt, String.format("unexpected JPEG marker FF%02X", marker));
                    }
                }
            }
        }
    }

    private static boolean isOtherFrameHeader(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != DHT && marker != 0xC8 && marker != 0xCC;
    }

    /** Reads a marker at pos, skipping fill bytes (FF FF ...); returns its code. */
    private int nextMarker() throws PixelDataException {
        if (pos >= end || (in[pos] & 0xFF) != 0xFF) {
            throw fail(pos, "expected a JPEG marker");
        }
        while (pos < end && (in[pos] & 0xFF) == 0xFF) {
            pos++;
        }
        if (pos >= end) {
            throw fail(pos, "JPEG stream ends inside a marker");
        }
        return in[pos++] & 0xFF;
    }

    /** The length of the segment whose 2-byte length starts at pos (length included), checked against the data. */
    private int segment(int markerAt) throws PixelDataException {
        if (end - pos < 2) {
            throw fail(markerAt, "JPEG segment length cut off");
        }
        int len = (in[pos] & 0xFF) << 8 | (in[pos + 1] & 0xFF);
        if (len < 2 || len > end - pos) {
            throw fail(pos, "JPEG segment length " + len + " outside 2.." + (end - pos));
        }
        return len;
    }

    private void readFrameHeader(int len) throws PixelDataException {
        int p = pos + 2;
        if (len < 8) {
            throw fail(pos, "SOF3 segment of " + len + " bytes is too short");
        }
        precision = in[p] & 0xFF;
        int lines = (in[p + 1] & 0xFF) << 8 | (in[p + 2] & 0xFF);
        int samplesPerLine = (in[p + 3] & 0xFF) << 8 | (in[p + 4] & 0xFF);
        int components = in[p + 5] & 0xFF;
        if (precision < 2 || precision > 16) {
            throw fail(p, "JPEG sample precision " + precision + " outside 2..16");
        }
        if (precision > geometry.bitsAllocated()) {
            throw fail(p, "JPEG sample precision " + precision + " exceeds Bits Allocated " + geometry.bitsAllocated());
        }
        if (lines != geometry.rows() || samplesPerLine != geometry.columns()) {
            throw fail(p + 1, "JPEG frame is " + samplesPerLine + "x" + lines + " but the header declares "
                    + geometry.columns() + "x" + geometry.rows());
        }
        if (components != 1) {
            throw fail(p + 5, "JPEG frame has " + components + " components (only 1 is decoded)");
        }
        if (len != 8 + 3 * components) {
            throw fail(pos, "SOF3 segment length " + len + " does not match " + components + " component(s)");
        }
        componentId = in[p + 6] & 0xFF;
        pos += len;
    }

    private void readHuffmanTables(int len) throws PixelDataException {
        int p = pos + 2;
        int segEnd = pos + len;
        while (p < segEnd) {
            int tcTh = in[p] & 0xFF;
            int tableClass = tcTh >> 4;
            int id = tcTh & 0x0F;
            if (tableClass > 1 || id > 3) {
                throw fail(p, "Huffman table class " + tableClass + " id " + id + " (class 0-1, id 0-3 allowed)");
            }
            if (segEnd - p < 17) {
                throw fail(p, "Huffman table cut off in its code counts");
            }
            int[] counts = new int[17];
            int total = 0;
            for (int l = 1; l <= 16; l++) {
                counts[l] = in[p + l] & 0xFF;
                total += counts[l];
            }
            if (total > 256 || total > segEnd - p - 17) {
                throw fail(p, "Huffman table declares " + total + " codes; " + (segEnd - p - 17) + " bytes remain");
            }
            int[] values = new int[total];
            for (int i = 0; i < total; i++) {
                values[i] = in[p + 17 + i] & 0xFF;
            }
            HuffmanTable t = HuffmanTable.build(counts, values);
            if (t == null) {
                throw fail(p, "Huffman table has more codes than its code lengths allow");
            }
            // lossless uses only the DC-class tables (T.81 H.1.2.2); an AC table is legal but unused
            if (tableClass == 0) {
                tables[id] = t;
            }
            p += 17 + total;
        }
        pos = segEnd;
    }

    private void readRestartInterval(int len) throws PixelDataException {
        if (len != 4) {
            throw fail(pos, "DRI segment length " + len + " (must be 4)");
        }
        restartInterval = (in[pos + 2] & 0xFF) << 8 | (in[pos + 3] & 0xFF);
        pos += len;
    }

    private void readScanHeaderAndCheck(int len) throws PixelDataException {
        int p = pos + 2;
        if (componentId < 0) {
            throw fail(pos, "SOS before the SOF3 frame header");
        }
        if (len < 6) {
            throw fail(pos, "SOS segment of " + len + " bytes is too short");
        }
        int components = in[p] & 0xFF;
        if (components != 1 || len != 6 + 2 * components) {
            throw fail(p, "scan of " + components + " components in a segment of " + len + " bytes (1 component expected)");
        }
        int cs = in[p + 1] & 0xFF;
        if (cs != componentId) {
            throw fail(p + 1, "scan component " + cs + " is not the frame's component " + componentId);
        }
        int td = (in[p + 2] & 0xFF) >> 4;
        if (td > 3 || tables[td] == null) {
            throw fail(p + 2, "scan uses Huffman table " + td + ", which is not defined");
        }
        table = tables[td];
        predictor = in[p + 3] & 0xFF;
        int se = in[p + 4] & 0xFF;
        int ahAl = in[p + 5] & 0xFF;
        pointTransform = ahAl & 0x0F;
        if (predictor < 1 || predictor > 7) {
            throw fail(p + 3, "lossless predictor " + predictor + " outside 1..7");
        }
        if (se != 0 || (ahAl >> 4) != 0) {
            throw fail(p + 4, "Se " + se + " / Ah " + (ahAl >> 4) + " must be 0 in a lossless scan");
        }
        if (pointTransform >= precision) {
            throw fail(p + 5, "point transform " + pointTransform + " not below precision " + precision);
        }
        if (restartInterval > 0 && restartInterval % geometry.columns() != 0) {
            // T.81 resets prediction to the first-line rule at each restart; only whole lines make that unambiguous
            throw fail(p, "restart interval " + restartInterval + " is not a multiple of the line length "
                    + geometry.columns());
        }
        pos += len;
    }

    private byte[] decodeScan() throws PixelDataException {
        int width = geometry.columns();
        int height = geometry.rows();
        boolean wide = geometry.bitsAllocated() == 16;
        byte[] out = new byte[geometry.frameBytes()];
        int[] previous = new int[width];
        int[] current = new int[width];
        int linesPerInterval = restartInterval == 0 ? Integer.MAX_VALUE : restartInterval / width;
        int nextRestart = 0;
        int linesSinceRestart = 0;
        int initial = 1 << (precision - pointTransform - 1);
        int o = 0;
        for (int y = 0; y < height; y++) {
            if (y > 0 && linesSinceRestart == linesPerInterval) {
                restart(nextRestart);
                nextRestart = (nextRestart + 1) & 7;
                linesSinceRestart = 0;
            }
            boolean firstLine = linesSinceRestart == 0;
            for (int x = 0; x < width; x++) {
                int prediction;
                if (firstLine) {
                    prediction = x == 0 ? initial : current[x - 1];
                } else if (x == 0) {
                    prediction = previous[0];
                } else {
                    int ra = current[x - 1];
                    int rb = previous[x];
                    int rc = previous[x - 1];
                    prediction = switch (predictor) {
                        case 1 -> ra;
                        case 2 -> rb;
                        case 3 -> rc;
                        case 4 -> ra + rb - rc;
                        case 5 -> ra + ((rb - rc) >> 1);
                        case 6 -> rb + ((ra - rc) >> 1);
                        default -> (ra + rb) >> 1;
                    };
                }
                // T.81 H.2.1: reconstruction is modulo 2^16
                int sample = (prediction + difference()) & 0xFFFF;
                current[x] = sample;
                int value = sample << pointTransform;
                if (wide) {
                    out[o++] = (byte) value;
                    out[o++] = (byte) (value >>> 8);
                } else {
                    out[o++] = (byte) value;
                }
            }
            linesSinceRestart++;
            int[] t = previous;
            previous = current;
            current = t;
        }
        return out;
    }

    /** Expects RSTn at the next byte boundary and starts a new interval. */
    private void restart(int expected) throws PixelDataException {
        bitBuffer = 0;
        bitCount = 0;
        paddingBits = 0;
        dataEnded = false;
        int at = pos;
        int marker = nextMarker();
        if (marker != 0xD0 + expected) {
            throw fail(at, String.format("expected restart marker RST%d, found FF%02X", expected, marker));
        }
    }

    /** One Huffman-coded difference (T.81 H.1.2.2: category 0..16, then that many extra bits). */
    private int difference() throws PixelDataException {
        int category = table.decode(this);
        if (category == 0) {
            return 0;
        }
        if (category == 16) {
            return 32768;
        }
        if (category > 16) {
            throw fail(pos, "difference category " + category + " exceeds 16");
        }
        int bits = bits(category);
        return bits < (1 << (category - 1)) ? bits - (1 << category) + 1 : bits;
    }

    /** Tops the buffer up to more than 56 bits, unstuffing FF00; stops at a marker, leaving pos on it. */
    private void fill() {
        while (bitCount <= 56) {
            int b;
            if (dataEnded) {
                b = 0;
                paddingBits += 8;
            } else if (pos >= end) {
                dataEnded = true;
                continue;
            } else {
                b = in[pos] & 0xFF;
                if (b == 0xFF) {
                    if (pos + 1 < end && in[pos + 1] == 0) {
                        pos += 2;
                    } else {
                        dataEnded = true;
                        continue;
                    }
                } else {
                    pos++;
                }
            }
            bitBuffer = (bitBuffer << 8) | b;
            bitCount += 8;
        }
    }

    /** The next 16 bits, not consumed. */
    int peek16() {
        if (bitCount < 16) {
            fill();
        }
        return (int) (bitBuffer >>> (bitCount - 16)) & 0xFFFF;
    }

    void skip(int n) throws PixelDataException {
        bitCount -= n;
        if (bitCount < paddingBits) {
            throw fail(pos, "JPEG entropy-coded data ends before the " + geometry.columns() + "x" + geometry.rows()
                    + " frame is complete" + (pos < end ? String.format(" (marker FF%02X)", in[Math.min(pos + 1, end - 1)] & 0xFF) : ""));
        }
    }

    private int bits(int n) throws PixelDataException {
        if (bitCount < n) {
            fill();
        }
        int v = (int) (bitBuffer >>> (bitCount - n)) & ((1 << n) - 1);
        skip(n);
        return v;
    }

    PixelDataException fail(int at, String detail) {
        return new PixelDataException(base + at, detail);
    }

    /** A Huffman table in the canonical form of T.81 Annex C and F.2.2.3 (MAXCODE, VALPTR, MINCODE). */
    static final class HuffmanTable {
        private final int[] maxCode = new int[18];
        private final int[] valuePointer = new int[17];
        private final int[] minCode = new int[17];
        private final int[] values;
        // codes of up to 8 bits, by the next 8 bits of input: length << 8 | value, 0 where the code is longer
        private final int[] fast = new int[256];

        private HuffmanTable(int[] values) {
            this.values = values;
        }

        /** Null when the counts describe more codes than lengths 1..16 can hold. */
        static HuffmanTable build(int[] counts, int[] values) {
            HuffmanTable t = new HuffmanTable(values);
            int code = 0;
            int k = 0;
            for (int l = 1; l <= 16; l++) {
                if (counts[l] == 0) {
                    t.maxCode[l] = -1;
                } else {
                    t.valuePointer[l] = k;
                    t.minCode[l] = code;
                    code += counts[l];
                    k += counts[l];
                    t.maxCode[l] = code - 1;
                }
                if (code > (1 << l)) {
                    return null;
                }
                code <<= 1;
            }
            t.maxCode[17] = Integer.MAX_VALUE;
            for (int l = 1; l <= 8; l++) {
                if (t.maxCode[l] < 0) {
                    continue;
                }
                for (int c = t.minCode[l]; c <= t.maxCode[l]; c++) {
                    int entry = l << 8 | values[t.valuePointer[l] + c - t.minCode[l]];
                    for (int i = c << (8 - l); i < (c + 1) << (8 - l); i++) {
                        t.fast[i] = entry;
                    }
                }
            }
            return t;
        }

        int decode(JpegLosslessDecoder d) throws PixelDataException {
            int next = d.peek16();
            int entry = fast[next >>> 8];
            if (entry != 0) {
                d.skip(entry >>> 8);
                return entry & 0xFF;
            }
            for (int l = 9; l <= 16; l++) {
                int code = next >>> (16 - l);
                if (code <= maxCode[l]) {
                    d.skip(l);
                    return values[valuePointer[l] + code - minCode[l]];
                }
            }
            throw d.fail(d.pos, "bit pattern matches no code of the Huffman table");
        }
    }
}
