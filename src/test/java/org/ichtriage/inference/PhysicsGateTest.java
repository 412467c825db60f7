package org.ichtriage.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PhysicsGateTest {
    private static final int N = 40;

    /** Brain 35 HU with a 60 HU clot at the centre, a bone band (1000 HU) on the left edge. */
    private static double[] slice() {
        double[] hu = new double[N * N];
        for (int i = 0; i < hu.length; i++) {
            int y = i / N;
            int x = i % N;
            hu[i] = x < 4 ? 1000 : 35;
            if (Math.abs(x - 20) <= 4 && Math.abs(y - 20) <= 4) hu[i] = 60;
        }
        return hu;
    }

    private static boolean[] all() {
        boolean[] m = new boolean[N * N];
        java.util.Arrays.fill(m, true);
        return m;
    }

    @Test
    void keepsTheClotAndDropsBrainAndBonePartialVolume() {
        double[] hu = slice();
        boolean[] m = all();
        int cleared = PhysicsGate.DEFAULTS.apply(hu, N, N, 0.5, m);
        assertTrue(m[20 * N + 20], "clot centre");
        assertTrue(m[18 * N + 18], "clot, 2 px in: the 5x5 window is all clot");
        assertFalse(m[5 * N + 30], "plain brain at 35 HU");
        assertFalse(m[20 * N + 5], "next to the bone band: the mean is pulled far above 100 HU");
        assertFalse(m[20 * N + 1], "bone itself");
        int kept = 0;
        for (boolean b : m) if (b) kept++;
        assertEquals(N * N - kept, cleared);
        // the clot (9 x 9) and at most the 2-pixel rim where the window still averages >= 40 HU
        assertTrue(kept >= 81 && kept <= 13 * 13, "the clot and its rim stay, was " + kept);
        assertFalse(m[20 * N + 27], "3 px beyond the clot the window holds only brain");
    }

    @Test
    void radiusFollowsThePixelSpacing() {
        assertEquals(2, PhysicsGate.DEFAULTS.radiusPx(0.45));
        assertEquals(1, PhysicsGate.DEFAULTS.radiusPx(0.9));
        assertEquals(1, PhysicsGate.DEFAULTS.radiusPx(3.0));
    }

    @Test
    void theMeanCountsOnlyPixelsInsideTheImage() {
        double[] hu = new double[N * N];
        java.util.Arrays.fill(hu, 60);
        boolean[] m = all();
        assertEquals(0, PhysicsGate.DEFAULTS.apply(hu, N, N, 0.5, m), "a uniform 60 HU image stays whole, corners too");
    }

    @Test
    void offKeepsEverythingAndTheSecondMaskFollowsTheFirst() {
        boolean[] m = all();
        assertEquals(0, PhysicsGate.OFF.apply(slice(), N, N, 0.5, m));
        for (boolean b : m) assertTrue(b);
        boolean[] lesion = all();
        boolean[] lenient = all();
        PhysicsGate.DEFAULTS.apply(slice(), N, N, 0.5, lesion, lenient);
        assertEquals(java.util.Arrays.toString(lesion), java.util.Arrays.toString(lenient));
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PhysicsGate(true, 100, 40, 1));
        assertThrows(IllegalArgumentException.class, () -> new PhysicsGate(true, 40, 100, 0));
    }
}
