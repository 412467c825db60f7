package org.ichtriage.dicom.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutational fuzzing of the RLE and JPEG Lossless decoders through the whole path (Part 10 parse,
 * encapsulation, decode): only DicomException may escape, and no iteration may allocate more than its input
 * allows plus one frame of the size the (mutated) header declares.
 */
class CompressedFuzzTest {
    private static final long SEED = 0xC0DEC_F022L;
    private static final int ITERATIONS = 12_000;
    private static final int WARM_UP = 3_000;
    private static final int ROWS = 48;
    private static final int COLUMNS = 40;

    private static short[] image() {
        Random r = new Random(7);
        short[] s = new short[ROWS * COLUMNS];
        for (int i = 0; i < s.length; i++) {
            s[i] = (short) ((i % COLUMNS < COLUMNS / 2 ? -1000 : 40) + r.nextInt(64) - 32);
        }
        return s;
    }

    private static List<byte[]> seeds() {
        short[] img = image();
        return List.of(
                TestEncoders.part10(TransferSyntax.RLE_LOSSLESS, ROWS, COLUMNS, 16, List.of(TestEncoders.rle(img, ROWS, COLUMNS))),
                TestEncoders.part10(TransferSyntax.JPEG_LOSSLESS_SV1, ROWS, COLUMNS, 16,
                        List.of(TestEncoders.jpegLossless(img, ROWS, COLUMNS, 16, 1, 0, 0))),
                TestEncoders.part10(TransferSyntax.JPEG_LOSSLESS, ROWS, COLUMNS, 16,
                        List.of(TestEncoders.jpegLossless(img, ROWS, COLUMNS, 12, 6, 1, 2 * COLUMNS))));
    }

    /** Where the encapsulated value starts: mutations aimed past it hit the compressed stream, not the header. */
    private static int pixelValueStart(byte[] file) throws DicomException {
        return (int) DicomReader.readPart10(file, DicomLimits.DEFAULT).dataset().encapsulatedPixelData().valueOffset();
    }

    private static final ByteMutator MUTATOR = new ByteMutator(0xFFFFFFFF, 0x7FFFFFFF, 0, 1, 2, 0xFFFF, 0xD8FF, 0xC3FF, 0xC4FF, 0xDAFF,
            0xD0FF, 0xDDFF, 0xE000FFFE, 0xE0DDFFFE, 64, 0x80);

    @Test
    void seedsDecodeToTheImage() throws Exception {
        for (byte[] seed : seeds()) {
            Part10File f = DicomReader.readPart10(seed, DicomLimits.DEFAULT);
            byte[] px = PixelData.frame(f.dataset(), 0, DicomLimits.DEFAULT);
            short[] img = image();
            byte[] expected = new byte[img.length * 2];
            boolean lossy = TransferSyntax.JPEG_LOSSLESS.equals(f.transferSyntaxUid()); // 12-bit, point transform 1
            for (int i = 0; i < img.length; i++) {
                int v = lossy ? ((img[i] & 0xFFF) >> 1) << 1 : img[i] & 0xFFFF;
                expected[2 * i] = (byte) v;
                expected[2 * i + 1] = (byte) (v >>> 8);
            }
            assertArrayEquals(expected, px, f.transferSyntaxUid());
        }
    }

    @Test
    void onlyDicomExceptionsAndAllocationWithinTheDeclaredFrame() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        List<byte[]> seeds = seeds();
        int[] streamStart = new int[seeds.size()];
        for (int k = 0; k < seeds.size(); k++) {
            streamStart[k] = pixelValueStart(seeds.get(k));
        }
        Random r = new Random(SEED);
        int decoded = 0;
        int rejected = 0;
        long worst = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            int kind = i % seeds.size();
            // two in three mutations land in the compressed stream, the rest anywhere (header, geometry, items)
            int from = r.nextInt(3) == 0 ? 0 : streamStart[kind];
            byte[] input = MUTATOR.mutate(seeds.get(kind).clone(), from, r);
            long declaredFrame = 0;
            long before = threads.getThreadAllocatedBytes(tid);
            try {
                DicomObject ds = DicomReader.readPart10(input, DicomLimits.DEFAULT).dataset();
                declaredFrame = (long) ds.getInt(Tag.Rows, 0) * ds.getInt(Tag.Columns, 0) * 2 + 16L * ds.getInt(Tag.Columns, 0);
                byte[] px = PixelData.frame(ds, 0, DicomLimits.DEFAULT);
                if (px != null) {
                    decoded++;
                    long expected = FrameGeometry.of(ds, Long.MAX_VALUE).frameBytes();
                    assertTrue(ds.encapsulatedPixelData() == null || px.length == expected,
                            "iteration " + i + ": decoded " + px.length + " bytes for a declared frame of " + expected);
                }
            } catch (DicomException e) {
                rejected++;
            } catch (org.opentest4j.AssertionFailedError a) {
                throw a;
            } catch (Throwable t) {
                fail("iteration " + i + " (seed " + SEED + ", kind " + kind + ", " + input.length + " bytes) threw " + t, t);
            }
            long allocated = threads.getThreadAllocatedBytes(tid) - before;
            // the parse is bounded by its input (as in CodecFuzzTest); the decode by one frame of the declared size
            // and two lines of int predictors; 64 KiB covers exception stack traces
            long bound = 32L * input.length + Math.max(0, declaredFrame) + (64 << 10);
            if (i < WARM_UP) {
                continue;
            }
            worst = Math.max(worst, allocated);
            assertTrue(allocated <= bound, "iteration " + i + ": allocated " + allocated + " bytes for " + input.length
                    + " input bytes and a declared frame of " + declaredFrame + " (bound " + bound + ")");
        }
        System.out.printf("compressed fuzz: %d iterations, %d decoded, %d rejected, most allocated in one iteration %d bytes%n",
                ITERATIONS, decoded, rejected, worst);
        assertTrue(decoded > 100 && rejected > 1000, "mutations too weak or too strong: " + decoded + " decoded, "
                + rejected + " rejected");
    }
}
