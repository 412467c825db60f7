package org.ichtriage.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ichtriage.volume.CtVolume;
import org.junit.jupiter.api.Test;

/** Preprocessing, the test graph and postprocessing together on a phantom with a known bleed. */
class VolumeSegmenterTest {

    @Test
    void phantomBleedVolumeIsRecoveredFromRealGeometry() throws Exception {
        long[] truth = new long[1];
        CtVolume v = Phantoms.head(12, 256, 0.8, 5.0, 12.0, truth);
        double truthMl = truth[0] * 0.8 * 0.8 * 5.0 / 1000.0;
        try (SegmentationModel m = TestModels.openTiny(ProviderPreference.AUTO, 2, 0)) {
            SegmentationResult r = new VolumeSegmenter(m, PostprocessConfig.DEFAULTS).segment(v);
            LesionAnalysis a = r.analysis();
            assertTrue(a.flags().ichDetected());
            assertEquals(truthMl, a.volumeMl(), 0.05 * truthMl, "volume vs phantom truth " + truthMl);
            assertTrue(a.interval().lowerMl() <= a.volumeMl() && a.volumeMl() <= a.interval().upperMl());
            // slices sit 2.5 and 7.5 mm either side of the sphere's centre: 4 slices hold blood, so
            // C = 4 x 5 mm, and the largest disc (2.5 mm off centre) has diameter 2 sqrt(12^2 - 2.5^2)
            double diameter = 2 * Math.sqrt(144 - 6.25);
            assertEquals(20.0, a.abc().cMm(), 1e-9);
            // a digital disc measured along a diagonal reaches up to about 1.5 pixels past the true diameter
            assertEquals(diameter, a.abc().aMm(), 1.2);
            assertEquals(diameter, a.abc().bMm(), 1.2);
            assertTrue(a.abc().aMm() >= a.abc().bMm());
            assertEquals(a.abc().aMm() * a.abc().bMm() * 20 / 2000, a.abc().volumeMl(), 1e-9);
            assertFalse(a.flags().largeVolume());
            assertEquals("CPU", r.provider());
            assertEquals(m.modelSha256(), r.modelSha256());
            assertEquals(12, a.lesionMask().size());
            assertTrue(r.timings().inferenceNanos() > 0);
        }
    }

    @Test
    void phantomWithoutBleedIsNegative() throws Exception {
        CtVolume v = Phantoms.head(6, 256, 0.8, 5.0, 0, null);
        try (SegmentationModel m = TestModels.openTiny(ProviderPreference.CPU, 1, 0)) {
            SegmentationResult r = new VolumeSegmenter(m, PostprocessConfig.DEFAULTS).segment(v);
            assertFalse(r.analysis().flags().ichDetected());
            assertEquals(0.0, r.analysis().volumeMl());
            assertFalse(r.analysis().flags().needsReview(), r.analysis().flags().toString());
        }
    }
}
