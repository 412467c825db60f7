package org.ichtriage.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Hand-computed expectations for docs/preprocessing.md, independent of the Python golden files. */
class PreprocessorTest {

    private static double[] hu(int rows, int cols, double fill) {
        double[] h = new double[rows * cols];
        Arrays.fill(h, fill);
        return h;
    }

    @Test
    void windowClampsAtBothEndsAndZScores() {
        // HU -15, 130, 40, 40: all candidates; window gives 0, 255 (382.5 clamped), 127.5, 127.5
        short[] stored = {(short) (-15 + 1024), (short) (130 + 1024), (short) (40 + 1024), (short) (40 + 1024)};
        Preprocessor.SliceResult r = new Preprocessor(2).preprocessStored(stored, 2, 2, 1, -1024, 1);
        double std = 127.5 / Math.sqrt(2);
        assertArrayEquals(new float[] {(float) (-127.5 / std), (float) (127.5 / std), 0f, 0f}, r.input(), 1e-6f);
        assertArrayEquals(new boolean[] {true, true, true, true}, r.mask());
    }

    @Test
    void belowCandidateRangeIsOutsideTheMaskAndZero() {
        // 3x3 of 40 HU with one -20 HU corner: the corner is not a candidate and touches the border
        short[] stored = new short[9];
        Arrays.fill(stored, (short) 40);
        stored[0] = -20;
        Preprocessor.SliceResult r = new Preprocessor(3).preprocessStored(stored, 3, 3, 1, 0, 1);
        assertFalse(r.mask()[0]);
        double mean = 127.5 * 8 / 9;
        double std = Math.sqrt((mean * mean + 8 * (127.5 - mean) * (127.5 - mean)) / 9);
        assertEquals((float) (-mean / std), r.input()[0], 1e-6f);
        assertEquals((float) ((127.5 - mean) / std), r.input()[4], 1e-6f);
    }

    @Test
    void holesInsideTheBrainAreFilledButNotBorderConnectedBone() {
        // 5x5 brain with a bone pixel in the middle (hole) and a bone pixel on the edge (not a hole)
        double[] h = hu(5, 5, 30);
        h[12] = 1000;
        h[2] = 1000;
        boolean[] m = Preprocessor.intracranialMask(h, 5, 5);
        assertTrue(m[12], "enclosed bone joins the mask");
        assertFalse(m[2], "bone on the border stays out");
        assertEquals(24, count(m));
    }

    @Test
    void holeConnectedToBorderOnlyDiagonallyIsStillAHole() {
        // a non-kept pixel whose only path to the outside is diagonal is enclosed under 4-connectivity
        double[] h = hu(4, 4, 30);
        h[0] = -1000;  // corner, border
        h[5] = -1000;  // diagonal to the corner only
        boolean[] m = Preprocessor.intracranialMask(h, 4, 4);
        assertFalse(m[0]);
        assertTrue(m[5]);
    }

    @Test
    void tiesKeepTheComponentThatStartsFirstInRowMajorOrder() {
        // 6x6 air with two 3-pixel brain blobs; each is >= 0.005*36, equal size
        double[] h = hu(6, 6, -1000);
        h[1 * 6 + 4] = 30;
        h[1 * 6 + 5] = 30;
        h[2 * 6 + 5] = 30; // starts at row 1, col 4
        h[3 * 6 + 0] = 30;
        h[3 * 6 + 1] = 30;
        h[4 * 6 + 0] = 30; // starts at row 3
        boolean[] m = Preprocessor.intracranialMask(h, 6, 6);
        assertTrue(m[1 * 6 + 4] && m[1 * 6 + 5] && m[2 * 6 + 5]);
        assertFalse(m[3 * 6 + 0] || m[3 * 6 + 1] || m[4 * 6 + 0]);
    }

    @Test
    void largestComponentWinsOverEarlierSmallerOne() {
        double[] h = hu(6, 6, -1000);
        h[0] = 30;
        h[4 * 6 + 1] = 30;
        h[4 * 6 + 2] = 30;
        boolean[] m = Preprocessor.intracranialMask(h, 6, 6);
        assertFalse(m[0]);
        assertTrue(m[4 * 6 + 1] && m[4 * 6 + 2]);
    }

    @Test
    void tooSmallComponentGivesEmptyMask() {
        // 20x20: minimum is 0.005 * 400 = 2 pixels; a single pixel is below it
        double[] h = hu(20, 20, -1000);
        h[210] = 30;
        assertEquals(0, count(Preprocessor.intracranialMask(h, 20, 20)));
        h[211] = 30;
        assertEquals(2, count(Preprocessor.intracranialMask(h, 20, 20)));
    }

    @Test
    void bilinearHalfPixelResizeOfTwoByTwoToFourByFour() {
        // x = (d + 0.5) * 2/4 - 0.5 -> 0 (clamped), 0.25, 0.75, 1.25 (upper neighbour clamped)
        double[] out = new Bilinear(2, 2, 4, 4).apply(new double[] {0, 4, 8, 12});
        assertArrayEquals(new double[] {
            0, 1, 3, 4,
            2, 3, 5, 6,
            6, 7, 9, 10,
            8, 9, 11, 12}, out, 1e-12);
    }

    @Test
    void bilinearDownscaleAveragesNeighbours() {
        // 4 -> 2: x = (d + 0.5) * 2 - 0.5 = 0.5, 2.5
        double[] out = new Bilinear(1, 4, 1, 2).apply(new double[] {0, 10, 20, 30});
        assertArrayEquals(new double[] {5, 25}, out, 1e-12);
    }

    @Test
    void zScoreGuardGivesZerosForAnEmptySlice() {
        short[] air = new short[64];
        Arrays.fill(air, (short) -1000);
        Preprocessor.SliceResult r = new Preprocessor(16).preprocessStored(air, 8, 8, 1, 0, 1);
        assertEquals(0, count(r.mask()));
        for (float v : r.input()) assertEquals(0f, v);
        assertEquals(256, r.input().length);
    }

    @Test
    void unsignedStoredValuesAreWidened() {
        // 0xFFFF unsigned with intercept -65495 is 40 HU; signed it would be -65496 HU (air)
        short[] stored = new short[16];
        Arrays.fill(stored, (short) 0xFFFF);
        Preprocessor p = new Preprocessor(4);
        assertEquals(16, count(p.preprocessStored(stored, 4, 4, 1, -65495, 0).mask()));
        assertEquals(0, count(p.preprocessStored(stored, 4, 4, 1, -65495, 1).mask()));
    }

    static int count(boolean[] m) {
        int c = 0;
        for (boolean b : m) if (b) c++;
        return c;
    }
}
