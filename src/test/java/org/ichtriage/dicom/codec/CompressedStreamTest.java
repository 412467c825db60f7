package org.ichtriage.dicom.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The decoders on streams built here: restart intervals (which dcmtk's encoders do not write), odd sizes, and
 * malformed streams, each refused with a PixelDataException that says where.
 */
class CompressedStreamTest {
    private static final int ROWS = 23;
    private static final int COLUMNS = 37;

    /** A signed 12-bit image with smooth areas, edges and noise, so every difference category shows up. */
    private static short[] image(long seed) {
        Random r = new Random(seed);
        short[] s = new short[ROWS * COLUMNS];
        for (int y = 0; y < ROWS; y++) {
            for (int x = 0; x < COLUMNS; x++) {
                int v = x < COLUMNS / 2 ? -1000 + r.nextInt(5) : 40 + y * 30 + r.nextInt(200);
                s[y * COLUMNS + x] = (short) Math.max(-2048, Math.min(2047, v));
            }
        }
        s[0] = -2048;
        s[s.length - 1] = 2047;
        return s;
    }

    private static byte[] littleEndian(short[] s, int mask) {
        byte[] b = new byte[s.length * 2];
        for (int i = 0; i < s.length; i++) {
            int v = s[i] & mask;
            b[2 * i] = (byte) v;
            b[2 * i + 1] = (byte) (v >>> 8);
        }
        return b;
    }

    private static byte[] decode(String ts, byte[] fragment) throws DicomException {
        Part10File f = DicomReader.readPart10(TestEncoders.part10(ts, ROWS, COLUMNS, 16, List.of(fragment)), DicomLimits.DEFAULT);
        return PixelData.frame(f.dataset(), 0, DicomLimits.DEFAULT);
    }

    @Test
    void everyPredictorWithRestartIntervalsDecodesExactly() throws Exception {
        short[] img = image(1);
        for (int predictor = 1; predictor <= 7; predictor++) {
            for (int restart : new int[] {0, COLUMNS, 3 * COLUMNS}) {
                byte[] jpeg = TestEncoders.jpegLossless(img, ROWS, COLUMNS, 16, predictor, 0, restart);
                assertArrayEquals(littleEndian(img, 0xFFFF), decode(TransferSyntax.JPEG_LOSSLESS, jpeg),
                        "predictor " + predictor + ", restart interval " + restart);
            }
        }
    }

    @Test
    void pointTransformAndTwelveBitPrecisionDecode() throws Exception {
        short[] img = image(2);
        byte[] jpeg = TestEncoders.jpegLossless(img, ROWS, COLUMNS, 12, 1, 3, 0);
        short[] expected = img.clone();
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (short) (((expected[i] & 0xFFF) >> 3) << 3);
        }
        assertArrayEquals(littleEndian(expected, 0xFFFF), decode(TransferSyntax.JPEG_LOSSLESS, jpeg));
    }

    @Test
    void rleDecodesExactly() throws Exception {
        short[] img = image(3);
        assertArrayEquals(littleEndian(img, 0xFFFF), decode(TransferSyntax.RLE_LOSSLESS, TestEncoders.rle(img, ROWS, COLUMNS)));
    }

    private static PixelDataException refused(String ts, byte[] fragment) {
        return assertThrows(PixelDataException.class, () -> decode(ts, fragment));
    }

    @Test
    void malformedJpegStreamsAreRefusedWithTheirOffset() {
        byte[] good = TestEncoders.jpegLossless(image(4), ROWS, COLUMNS, 16, 1, 0, COLUMNS);
        // baseline frame header instead of SOF3
        byte[] baseline = good.clone();
        int sof = indexOf(baseline, 0xC3);
        baseline[sof] = (byte) 0xC0;
        PixelDataException e = refused(TransferSyntax.JPEG_LOSSLESS_SV1, baseline);
        assertTrue(e.getMessage().contains("not lossless"), e.getMessage());
        assertEquals(Tag.PixelData, e.tag());
        // frame size disagreeing with Rows
        byte[] taller = good.clone();
        taller[sof + 4] = (byte) (ROWS + 1);
        assertTrue(refused(TransferSyntax.JPEG_LOSSLESS, taller).getMessage().contains("declares"));
        // entropy-coded data cut short: the error points into the fragment, past its start
        byte[] cut = java.util.Arrays.copyOf(good, good.length / 2);
        PixelDataException c = refused(TransferSyntax.JPEG_LOSSLESS, cut);
        assertTrue(c.getMessage().contains("before the") && c.offset() > 0, c.getMessage());
        // a restart marker out of sequence
        byte[] wrongRestart = good.clone();
        int rst = indexOf(wrongRestart, 0xD0);
        wrongRestart[rst] = (byte) 0xD3;
        assertTrue(refused(TransferSyntax.JPEG_LOSSLESS, wrongRestart).getMessage().contains("RST0"));
        // a Huffman table with more codes than 5-bit lengths hold
        byte[] overfull = good.clone();
        int dht = indexOf(overfull, 0xC4);
        overfull[dht + 4 + 1] = 3; // three 1-bit codes
        assertTrue(refused(TransferSyntax.JPEG_LOSSLESS, overfull).getMessage().contains("Huffman"));
        assertTrue(refused(TransferSyntax.JPEG_LOSSLESS, new byte[] {0, 1, 2, 3}).getMessage().contains("SOI"));
    }

    /** The position of the first marker FF code in a stream. */
    private static int indexOf(byte[] b, int code) {
        for (int i = 0; i + 1 < b.length; i++) {
            if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == code) {
                return i + 1;
            }
        }
        throw new AssertionError("marker FF" + Integer.toHexString(code) + " not in the stream");
    }

    @Test
    void malformedRleIsRefused() {
        byte[] good = TestEncoders.rle(image(5), ROWS, COLUMNS);
        byte[] oneSegment = good.clone();
        oneSegment[0] = 1;
        assertTrue(refused(TransferSyntax.RLE_LOSSLESS, oneSegment).getMessage().contains("segments"));
        byte[] outside = good.clone();
        outside[9] = 0x7F; // second offset far past the fragment
        assertTrue(refused(TransferSyntax.RLE_LOSSLESS, outside).getMessage().contains("outside"));
        byte[] shortSegment = java.util.Arrays.copyOf(good, good.length - 40);
        PixelDataException s = refused(TransferSyntax.RLE_LOSSLESS, shortSegment);
        assertTrue(s.getMessage().contains("segment 1"), s.getMessage());
        // a literal run longer than the plane: a zero image's last row, rewritten as a 128-byte literal
        byte[] zeros = TestEncoders.rle(new short[ROWS * COLUMNS], ROWS, COLUMNS);
        int lastRow = 64 + 2 * (ROWS - 1);
        zeros[lastRow] = 127;
        PixelDataException o = refused(TransferSyntax.RLE_LOSSLESS, zeros);
        assertTrue(o.getMessage().contains("overruns"), o.getMessage());
        assertTrue(refused(TransferSyntax.RLE_LOSSLESS, new byte[10]).getMessage().contains("64-byte header"));
    }

    @Test
    void aFrameLargerThanTheLimitIsRefusedBeforeAnyAllocation() throws Exception {
        byte[] file = TestEncoders.part10(TransferSyntax.RLE_LOSSLESS, ROWS, COLUMNS, 16, List.of(new byte[64]));
        DicomObject ds = DicomReader.readPart10(file, DicomLimits.DEFAULT).dataset();
        ds.putInts(Tag.Rows, VR.US, 65535);
        ds.putInts(Tag.Columns, VR.US, 65535);
        PixelDataException e = assertThrows(PixelDataException.class, () -> PixelData.frame(ds, 0, DicomLimits.DEFAULT));
        assertTrue(e.getMessage().contains("exceeds the limit"), e.getMessage());
    }

    @Test
    void eightBitImagesDecodeToOneBytePerSample() throws Exception {
        short[] img = image(6);
        byte[] eight = new byte[img.length];
        for (int i = 0; i < img.length; i++) {
            eight[i] = (byte) (img[i] >> 4);
            img[i] = (short) (eight[i] & 0xFF);
        }
        byte[] jpeg = TestEncoders.jpegLossless(img, ROWS, COLUMNS, 8, 7, 0, 0);
        byte[] rle = TestEncoders.rle8(eight, ROWS, COLUMNS);
        for (var c : List.of(java.util.Map.entry(TransferSyntax.JPEG_LOSSLESS, jpeg), java.util.Map.entry(TransferSyntax.RLE_LOSSLESS, rle))) {
            Part10File f = DicomReader.readPart10(TestEncoders.part10(c.getKey(), ROWS, COLUMNS, 8, 8, 1, List.of(),
                    List.of(c.getValue())), DicomLimits.DEFAULT);
            assertArrayEquals(eight, PixelData.frame(f.dataset(), 0, DicomLimits.DEFAULT), c.getKey());
        }
    }

    @Test
    void multiFrameObjectsAreSplitByTheOffsetTableOrOneFragmentPerFrame() throws Exception {
        short[] a = image(7);
        short[] b = image(8);
        byte[] ja = TestEncoders.jpegLossless(a, ROWS, COLUMNS, 16, 1, 0, 0);
        byte[] jb = TestEncoders.jpegLossless(b, ROWS, COLUMNS, 16, 1, 0, 0);
        // frame 0 split in two fragments, frame 1 in one: only the offset table tells where frame 1 starts
        int half = ja.length / 2 + (ja.length / 2) % 2;
        byte[] ja1 = java.util.Arrays.copyOf(ja, half);
        byte[] ja2 = java.util.Arrays.copyOfRange(ja, half, ja.length);
        int frame1 = 8 + ja1.length + 8 + ja2.length;
        Part10File split = DicomReader.readPart10(TestEncoders.part10(TransferSyntax.JPEG_LOSSLESS_SV1, ROWS, COLUMNS, 16, 16, 2,
                List.of(0, frame1), List.of(ja1, ja2, jb)), DicomLimits.DEFAULT);
        assertArrayEquals(littleEndian(a, 0xFFFF), PixelData.frame(split.dataset(), 0, DicomLimits.DEFAULT));
        assertArrayEquals(littleEndian(b, 0xFFFF), PixelData.frame(split.dataset(), 1, DicomLimits.DEFAULT));
        assertThrows(PixelDataException.class, () -> PixelData.frame(split.dataset(), 2, DicomLimits.DEFAULT));
        // an offset that points into a fragment is refused
        Part10File wrong = DicomReader.readPart10(TestEncoders.part10(TransferSyntax.JPEG_LOSSLESS_SV1, ROWS, COLUMNS, 16, 16, 2,
                List.of(0, frame1 - 2), List.of(ja1, ja2, jb)), DicomLimits.DEFAULT);
        assertTrue(assertThrows(PixelDataException.class, () -> PixelData.frame(wrong.dataset(), 1, DicomLimits.DEFAULT))
                .getMessage().contains("does not point at a fragment"));
        // RLE: no offset table, one fragment per frame; decompressInPlace gives both frames, native and writable
        Part10File rle = DicomReader.readPart10(TestEncoders.part10(TransferSyntax.RLE_LOSSLESS, ROWS, COLUMNS, 16, 16, 2,
                List.of(), List.of(TestEncoders.rle(a, ROWS, COLUMNS), TestEncoders.rle(b, ROWS, COLUMNS))), DicomLimits.DEFAULT);
        assertArrayEquals(littleEndian(b, 0xFFFF), PixelData.frame(rle.dataset(), 1, DicomLimits.DEFAULT));
        DicomObject ds = rle.dataset();
        assertThrows(IllegalArgumentException.class, () -> DicomWriter.writeDataset(ds, TransferSyntax.EXPLICIT_VR_LE),
                "encapsulated pixel data must not be written as if native");
        PixelData.decompressInPlace(ds, DicomLimits.DEFAULT);
        DicomObject back = DicomReader.readDataset(DicomWriter.writeDataset(ds, TransferSyntax.EXPLICIT_VR_LE),
                TransferSyntax.EXPLICIT_VR_LE, DicomLimits.DEFAULT);
        byte[] both = new byte[4 * ROWS * COLUMNS];
        System.arraycopy(littleEndian(a, 0xFFFF), 0, both, 0, 2 * ROWS * COLUMNS);
        System.arraycopy(littleEndian(b, 0xFFFF), 0, both, 2 * ROWS * COLUMNS, 2 * ROWS * COLUMNS);
        assertArrayEquals(both, back.getBytes(Tag.PixelData));
        assertEquals(VR.OW, back.vr(Tag.PixelData));
        // two frames in three fragments without an offset table cannot be split
        Part10File ambiguous = DicomReader.readPart10(TestEncoders.part10(TransferSyntax.JPEG_LOSSLESS_SV1, ROWS, COLUMNS, 16, 16, 2,
                List.of(), List.of(ja1, ja2, jb)), DicomLimits.DEFAULT);
        assertTrue(assertThrows(PixelDataException.class, () -> PixelData.frame(ambiguous.dataset(), 0, DicomLimits.DEFAULT))
                .getMessage().contains("without a Basic Offset Table"));
    }
}
