package org.ichtriage.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.ichtriage.testing.CtSlices;
import org.junit.jupiter.api.Test;

class ContentCheckTest {
    private static final int MATRIX = 64;

    /** A 64x64 stack at 1 mm pixels (41 cm^2): air outside a disc of radius r pixels filled with brain at 30 HU. */
    private static CtVolume head(double radius, double slope, double intercept) {
        List<CtSlice> slices = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            short[] px = new short[MATRIX * MATRIX];
            for (int i = 0; i < px.length; i++) {
                double d = Math.hypot(i / MATRIX - 31.5, i % MATRIX - 31.5);
                double hu = d < radius ? 30 : -1000;
                px[i] = (short) Math.round((hu - intercept) / slope);
            }
            slices.add(CtSlices.axial().sop("1.2.3.4.5." + n).series(Slices.SERIES).instance(n).matrix(MATRIX, MATRIX)
                    .pixelSpacing(1, 1).position(new double[] {0, 0, 5.0 * n}).rescale(slope, intercept).pixels(px).build());
        }
        return ((AssemblyResult.Assembled) new SeriesAssembler(AssemblyLimits.DEFAULTS).assemble(slices)).volumes().get(0);
    }

    @Test
    void aHeadSizedDiscOfTissuePasses() {
        assertEquals(Optional.empty(), ContentCheck.check(head(30, 1, -1024)));
    }

    @Test
    void anAllAirSeriesHasNoHead() {
        AssemblyResult.Refused r = ContentCheck.check(head(0, 1, -1024)).orElseThrow();
        assertEquals(RefusalReason.NO_HEAD_FOUND, r.reason());
        assertEquals("the fullest of 3 slices (instance 1) holds 0.0 cm^2 of soft tissue (-100..150 HU); a head holds at least 20 cm^2",
                r.detail());
        // 12 cm^2 of tissue (radius 20 mm would be 12.6) is still no head
        assertEquals(RefusalReason.NO_HEAD_FOUND, ContentCheck.check(head(19.5, 1, -1024)).orElseThrow().reason());
    }

    @Test
    void aHugeRescaleSlopeIsImplausibleHu() {
        CtVolume v = head(30, 1, -1024);
        List<CtSlice> rescaled = new ArrayList<>();
        for (CtSlice s : v.slices()) {
            rescaled.add(CtSlices.axial().sop(s.sopInstanceUid()).series(Slices.SERIES).instance(s.instanceNumber()).matrix(MATRIX, MATRIX)
                    .pixelSpacing(1, 1).position(s.imagePositionPatient()).rescale(1e308, -1024).pixels(s.storedPixels()).build());
        }
        CtVolume bad = ((AssemblyResult.Assembled) new SeriesAssembler(AssemblyLimits.DEFAULTS).assemble(rescaled)).volumes().get(0);
        AssemblyResult.Refused r = ContentCheck.check(bad).orElseThrow();
        assertEquals(RefusalReason.IMPLAUSIBLE_HU, r.reason());
        assertTrue(r.detail().startsWith("instance 1: RescaleSlope (0028,1053) 1.0E308 and RescaleIntercept (0028,1052) -1024.0"),
                r.detail());
        // a zero or negative slope inverts or flattens the image: no CT writes one
        assertEquals(RefusalReason.IMPLAUSIBLE_HU, ContentCheck.check(head(30, -1, 0)).orElseThrow().reason());
    }
}
