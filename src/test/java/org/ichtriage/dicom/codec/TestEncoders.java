package org.ichtriage.dicom.codec;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * Minimal RLE and JPEG Lossless encoders for tests: seeds for the fuzzers and streams with features dcmtk's
 * encoders do not write (restart intervals). Correctness of the decoders is judged against dcmtk elsewhere.
 */
final class TestEncoders {
    private TestEncoders() {
    }

    /** A Part 10 file of a 16-bit signed single-frame image whose Pixel Data is the given encapsulated fragments. */
    static byte[] part10(String ts, int rows, int columns, int bitsStored, List<byte[]> fragments) {
        return part10(ts, rows, columns, 16, bitsStored, 1, List.of(), fragments);
    }

    /**
     * A Part 10 file of {@code frames} frames whose Pixel Data is the given Basic Offset Table (empty for none)
     * and fragments.
     */
    static byte[] part10(String ts, int rows, int columns, int bitsAllocated, int bitsStored, int frames,
                         List<Integer> offsetTable, List<byte[]> fragments) {
        DicomObject ds = new DicomObject();
        ds.putString(Tag.SOPClassUID, VR.UI, "1.2.840.10008.5.1.4.1.1.2");
        ds.putString(Tag.SOPInstanceUID, VR.UI, "1.2.3.4.5.6");
        ds.putString(Tag.SeriesInstanceUID, VR.UI, "1.2.3.4.5");
        ds.putString(Tag.Modality, VR.CS, "CT");
        ds.putInts(Tag.SamplesPerPixel, VR.US, 1);
        ds.putString(Tag.PhotometricInterpretation, VR.CS, "MONOCHROME2");
        ds.putInts(Tag.Rows, VR.US, rows);
        ds.putInts(Tag.Columns, VR.US, columns);
        ds.putInts(Tag.BitsAllocated, VR.US, bitsAllocated);
        ds.putInts(Tag.BitsStored, VR.US, bitsStored);
        ds.putInts(Tag.HighBit, VR.US, bitsStored - 1);
        ds.putInts(Tag.PixelRepresentation, VR.US, bitsAllocated == 16 ? 1 : 0);
        if (frames > 1) {
            ds.putString(Tag.NumberOfFrames, VR.IS, Integer.toString(frames));
        }
        Bytes px = new Bytes().explicitLongHeader(Tag.PixelData, "OB", 0xFFFFFFFFL).item(4L * offsetTable.size());
        for (int offset : offsetTable) {
            px.raw(new byte[] {(byte) offset, (byte) (offset >>> 8), (byte) (offset >>> 16), (byte) (offset >>> 24)});
        }
        for (byte[] f : fragments) {
            px.item(f.length).raw(f);
        }
        px.seqEnd();
        byte[] header = DicomWriter.fileMetaHeader("1.2.840.10008.5.1.4.1.1.2", "1.2.3.4.5.6", ts, null);
        byte[] body = DicomWriter.writeDataset(ds, TransferSyntax.EXPLICIT_VR_LE);
        byte[] pixels = px.toArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header);
        out.writeBytes(body);
        out.writeBytes(pixels);
        return out.toByteArray();
    }

    /** RLE Lossless (PS3.5 Annex G) of 16-bit samples: two segments, high bytes then low bytes, PackBits per row. */
    static byte[] rle(short[] samples, int rows, int columns) {
        byte[][] segments = new byte[2][];
        for (int s = 0; s < 2; s++) {
            ByteArrayOutputStream seg = new ByteArrayOutputStream();
            int shift = s == 0 ? 8 : 0;
            for (int y = 0; y < rows; y++) {
                byte[] row = new byte[columns];
                for (int x = 0; x < columns; x++) {
                    row[x] = (byte) (samples[y * columns + x] >> shift);
                }
                packBits(row, seg);
            }
            if (seg.size() % 2 == 1) {
                seg.write(0x80); // no-op padding to even length
            }
            segments[s] = seg.toByteArray();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] header = new int[16];
        header[0] = 2;
        header[1] = 64;
        header[2] = 64 + segments[0].length;
        for (int v : header) {
            out.write(v);
            out.write(v >>> 8);
            out.write(v >>> 16);
            out.write(v >>> 24);
        }
        out.writeBytes(segments[0]);
        out.writeBytes(segments[1]);
        return out.toByteArray();
    }

    /** RLE Lossless of 8-bit samples: one segment. */
    static byte[] rle8(byte[] samples, int rows, int columns) {
        ByteArrayOutputStream seg = new ByteArrayOutputStream();
        for (int y = 0; y < rows; y++) {
            packBits(java.util.Arrays.copyOfRange(samples, y * columns, (y + 1) * columns), seg);
        }
        if (seg.size() % 2 == 1) {
            seg.write(0x80);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] header = new int[16];
        header[0] = 1;
        header[1] = 64;
        for (int v : header) {
            out.write(v);
            out.write(v >>> 8);
            out.write(v >>> 16);
            out.write(v >>> 24);
        }
        out.writeBytes(seg.toByteArray());
        return out.toByteArray();
    }

    private static void packBits(byte[] row, ByteArrayOutputStream out) {
        int i = 0;
        while (i < row.length) {
            int run = 1;
            while (i + run < row.length && run < 128 && row[i + run] == row[i]) {
                run++;
            }
            if (run >= 2) {
                out.write(1 - run);
                out.write(row[i]);
                i += run;
                continue;
            }
            int start = i;
            while (i < row.length && i - start < 128 && (i + 1 >= row.length || row[i + 1] != row[i])) {
                i++;
            }
            if (i == start) {
                i++;
            }
            out.write(i - start - 1);
            out.write(row, start, i - start);
        }
    }

    /**
     * JPEG Lossless (T.81 process 14) of 16-bit samples with one fixed Huffman table (every category a 5-bit code),
     * the given predictor, point transform and restart interval (0 = none; else a multiple of columns).
     */
    static byte[] jpegLossless(short[] samples, int rows, int columns, int precision, int predictor, int pointTransform,
                               int restartInterval) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        marker(out, 0xD8);
        marker(out, 0xC4);
        u16(out, 2 + 17 + 17);
        out.write(0x00);
        for (int l = 1; l <= 16; l++) {
            out.write(l == 5 ? 17 : 0);
        }
        for (int v = 0; v <= 16; v++) {
            out.write(v);
        }
        marker(out, 0xC3);
        u16(out, 11);
        out.write(precision);
        u16(out, rows);
        u16(out, columns);
        out.write(1);
        out.write(1);
        out.write(0x11);
        out.write(0);
        if (restartInterval > 0) {
            marker(out, 0xDD);
            u16(out, 4);
            u16(out, restartInterval);
        }
        marker(out, 0xDA);
        u16(out, 8);
        out.write(1);
        out.write(1);
        out.write(0x00);
        out.write(predictor);
        out.write(0);
        out.write(pointTransform);
        BitWriter bits = new BitWriter(out);
        int mask = (1 << precision) - 1;
        int[] prev = new int[columns];
        int[] cur = new int[columns];
        int linesPerInterval = restartInterval == 0 ? Integer.MAX_VALUE : restartInterval / columns;
        int sinceRestart = 0;
        int restarts = 0;
        for (int y = 0; y < rows; y++) {
            if (y > 0 && sinceRestart == linesPerInterval) {
                bits.flush();
                marker(out, 0xD0 + (restarts++ & 7));
                sinceRestart = 0;
            }
            boolean first = sinceRestart == 0;
            for (int x = 0; x < columns; x++) {
                int v = ((samples[y * columns + x] & mask) >> pointTransform);
                int p;
                if (first) {
                    p = x == 0 ? 1 << (precision - pointTransform - 1) : cur[x - 1];
                } else if (x == 0) {
                    p = prev[0];
                } else {
                    int a = cur[x - 1];
                    int b = prev[x];
                    int c = prev[x - 1];
                    p = switch (predictor) {
                        case 1 -> a;
                        case 2 -> b;
                        case 3 -> c;
                        case 4 -> a + b - c;
                        case 5 -> a + ((b - c) >> 1);
                        case 6 -> b + ((a - c) >> 1);
                        default -> (a + b) >> 1;
                    };
                }
                int d = (v - p) & 0xFFFF;
                if (d >= 0x8000) {
                    d -= 0x10000;
                }
                if (d == -0x8000) {
                    bits.write(16, 5);
                } else {
                    int category = d == 0 ? 0 : 32 - Integer.numberOfLeadingZeros(Math.abs(d));
                    bits.write(category, 5);
                    if (category > 0) {
                        bits.write(d >= 0 ? d : d + (1 << category) - 1, category);
                    }
                }
                cur[x] = v;
            }
            sinceRestart++;
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        bits.flush();
        marker(out, 0xD9);
        return out.toByteArray();
    }

    private static void marker(ByteArrayOutputStream out, int code) {
        out.write(0xFF);
        out.write(code);
    }

    private static void u16(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    /** MSB-first bits with FF00 stuffing; flush pads with 1-bits (T.81 F.1.2.3). */
    private static final class BitWriter {
        private final ByteArrayOutputStream out;
        private int acc;
        private int n;

        BitWriter(ByteArrayOutputStream out) {
            this.out = out;
        }

        void write(int value, int count) {
            for (int i = count - 1; i >= 0; i--) {
                acc = (acc << 1) | ((value >>> i) & 1);
                if (++n == 8) {
                    emit();
                }
            }
        }

        void flush() {
            while (n != 0) {
                write(1, 1);
            }
        }

        private void emit() {
            out.write(acc);
            if (acc == 0xFF) {
                out.write(0);
            }
            acc = 0;
            n = 0;
        }
    }
}
