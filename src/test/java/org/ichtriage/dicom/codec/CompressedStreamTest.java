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
}
