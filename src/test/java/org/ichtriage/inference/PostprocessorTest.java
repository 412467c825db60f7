package org.ichtriage.inference;

import org.ichtriage.events.TriageCategory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.ichtriage.volume.CtVolume;
import org.junit.jupiter.api.Test;

/** Postprocessing on hand-made probability and entropy maps with known answers. */
class PostprocessorTest {
    private static final int N = 8;
    private static final int M = 64;
    private static final int PLANE = M * M;
    // 0.5 mm pixels and 5 mm steps: one voxel is 1.25 mm^3
    /** The lesions here are a few mm^3 (voxels of 1.25 mm^3); the 1 mL default would remove them all. */
    private static final PostprocessConfig SMALL_LESIONS = PostprocessConfig.DEFAULTS.withMinComponentMm3(10);
    private static final CtVolume GEOMETRY = Phantoms.head(N, M, 0.5, 5.0, 0, null);
    private static final ModelCard CARD = new ModelCard("t", "1", "t.onnx", "0".repeat(64), M, 1, "probability", 0.2,
            0.3, "tests", java.util.List.of("none"));

    private final float[] prob = new float[N * PLANE];
    private final float[] entropy = new float[N * PLANE];
    private final boolean[][] brain = new boolean[N][PLANE];

    PostprocessorTest() {
        for (boolean[] b : brain) Arrays.fill(b, true);
    }

    private void square(int slice, int r0, int c0, int side, float p, float e) {
        for (int r = r0; r < r0 + side; r++) {
            for (int c = c0; c < c0 + side; c++) {
                prob[slice * PLANE + r * M + c] = p;
                entropy[slice * PLANE + r * M + c] = e;
            }
        }
    }

    /** The maps here are drawn over phantom brain (about 30-40 HU): these tests judge the probability rules, so the physics gate is off. */
    private LesionAnalysis run(PostprocessConfig cfg) {
        return runGated(cfg.withGate(PhysicsGate.OFF));
    }

    private LesionAnalysis runGated(PostprocessConfig cfg) {
        List<SliceMask> masks = new ArrayList<>();
        for (boolean[] b : brain) masks.add(SliceMask.of(M, M, b));
        PreprocessedVolume pre = new PreprocessedVolume(N, M, M, M, new float[N * PLANE], masks);
        ModelOutput out = new ModelOutput(N, M, prob, new float[3 * N * PLANE], entropy);
        return new Postprocessor(cfg).postprocess(GEOMETRY, pre, out, CARD);
    }

    private void bandEntropy(int slice, int r0, int c0, int side, float e) {
        for (int r = r0 - 2; r < r0 + side + 2; r++) {
            for (int c = c0 - 2; c < c0 + side + 2; c++) entropy[slice * PLANE + r * M + c] = e;
        }
    }

    /** A confident prediction over plain brain HU is no blood: the default gate removes it, strict and lenient too. */
    @Test
    void physicsGateRemovesAPredictionOverBrainTissue() {
        for (int s = 3; s <= 5; s++) square(s, 20, 20, 10, 0.9f, 0f);
        LesionAnalysis off = run(SMALL_LESIONS);
        assertEquals(300, off.lesionVoxels());
        LesionAnalysis on = runGated(SMALL_LESIONS);
        assertEquals(0, on.lesionVoxels());
        assertEquals(0.0, on.interval().upperMl());
        assertFalse(on.flags().ichDetected());
        assertEquals(TriageCategory.NEGATIVE, on.flags().category());
    }

    @Test
    void volumeIntervalAbcAndUncertaintyOfASquarePrism() {
        for (int s = 3; s <= 5; s++) {
            square(s, 18, 18, 14, 0.4f, 0f);     // lenient-only ring, 2 px wide
            bandEntropy(s, 20, 20, 10, 0.2f);
            square(s, 20, 20, 10, 0.9f, 0.6f);   // lesion core
        }
        LesionAnalysis a = run(SMALL_LESIONS);
        assertEquals(300, a.lesionVoxels());
        assertEquals(300 * 1.25 / 1000, a.volumeMl(), 1e-12);
        assertEquals(300 * 1.25 / 1000, a.interval().lowerMl(), 1e-12);
        assertEquals(3 * 196 * 1.25 / 1000, a.interval().upperMl(), 1e-12);
        // A and B: the square's diagonals, 9 sqrt2 px between centres plus sqrt2/2 px each end
        assertEquals(10 * Math.sqrt(2) * 0.5, a.abc().aMm(), 1e-9);
        assertEquals(10 * Math.sqrt(2) * 0.5, a.abc().bMm(), 1e-9);
        assertEquals(15.0, a.abc().cMm(), 1e-12);
        assertEquals(3, a.abc().sliceIndex());
        UncertaintySummary u = a.uncertainty();
        assertEquals(0.6, u.meanEntropyLesion(), 1e-6);
        assertEquals(0.2, u.meanEntropyBand(), 1e-6);
        assertEquals(3 * 96, u.bandVoxels());
        assertEquals(300.0 / (300 + 288), u.highEntropyFraction(), 1e-12);
        assertTrue(a.flags().ichDetected());
        assertTrue(a.flags().highUncertainty(), "0.6 > card threshold 0.3");
        assertFalse(a.flags().largeVolume());
        assertTrue(run(SMALL_LESIONS.withLargeVolumeMl(0.375)).flags().largeVolume());
        assertEquals(List.of(ReviewReason.HIGH_UNCERTAINTY), a.flags().reviewReasons());
        assertEquals(300, a.lesionMask().get(4).cardinality() * 3);
        assertTrue(a.lesionMask().get(4).get(20, 20));
        assertFalse(a.lesionMask().get(4).get(19, 20));
    }

    @Test
    void defaultDropsComponentsUnderOneMillilitre() {
        square(1, 5, 5, 20, 0.9f, 0f);
        square(2, 5, 5, 20, 0.9f, 0f);    // 800 voxels of 1.25 mm^3 = 1000 mm^3: kept
        square(5, 35, 35, 20, 0.9f, 0f);  // 400 voxels = 500 mm^3: removed
        LesionAnalysis a = run(PostprocessConfig.DEFAULTS);
        assertEquals(1000.0, PostprocessConfig.DEFAULTS.minComponentMm3());
        assertEquals(1, a.removedComponents());
        assertEquals(800, a.lesionVoxels());
        assertEquals(1.0, a.volumeMl(), 1e-9);
        assertTrue(a.lesionMask().get(5).isEmpty());
    }

    @Test
    void tinyComponentsAreRemovedIn3dByMm3() {
        square(3, 20, 20, 10, 0.9f, 0f);
        square(3, 40, 40, 2, 0.9f, 0f);  // 4 voxels = 5 mm^3
        square(4, 40, 40, 2, 0.9f, 0f);  // joined across slices: 8 voxels = 10 mm^3, kept at 10
        square(6, 50, 50, 1, 0.9f, 0f);  // 1 voxel = 1.25 mm^3, removed
        LesionAnalysis kept = run(SMALL_LESIONS);
        assertEquals(1, kept.removedComponents());
        assertEquals(108, kept.lesionVoxels());
        assertTrue(kept.lesionMask().get(6).isEmpty());
        LesionAnalysis strict = run(SMALL_LESIONS.withMinComponentMm3(10.01));
        assertEquals(2, strict.removedComponents());
        assertEquals(100, strict.lesionVoxels());
        LesionAnalysis all = run(SMALL_LESIONS.withMinComponentMm3(0));
        assertEquals(0, all.removedComponents());
        assertEquals(109, all.lesionVoxels());
    }

    @Test
    void probabilityOutsideTheIntracranialMaskIsNotLesion() {
        square(3, 20, 20, 10, 0.9f, 0f);
        for (int r = 20; r < 30; r++) for (int c = 25; c < 30; c++) brain[3][r * M + c] = false;
        LesionAnalysis a = run(SMALL_LESIONS);
        assertEquals(50, a.lesionVoxels());
        assertEquals(List.of(ReviewReason.LESION_AT_MASK_EDGE), a.flags().reviewReasons());
    }

    @Test
    void lesionOnTheLastSliceNeedsReview() {
        square(N - 1, 20, 20, 10, 0.9f, 0f);
        assertEquals(List.of(ReviewReason.LESION_AT_VOLUME_END), run(SMALL_LESIONS).flags().reviewReasons());
    }

    @Test
    void wideIntervalNeedsReviewEvenWithoutLesion() {
        // p = 0.4 everywhere in a 40x40 block on 2 slices: 0 mL at 0.5, 4 mL at 0.3 > 2 mL minimum
        for (int s = 3; s <= 4; s++) square(s, 10, 10, 40, 0.4f, 0.69f);
        LesionAnalysis a = run(SMALL_LESIONS);
        assertFalse(a.flags().ichDetected());
        assertFalse(a.flags().highUncertainty());
        assertEquals(2 * 1600 * 1.25 / 1000, a.interval().upperMl(), 1e-12);
        assertEquals(List.of(ReviewReason.WIDE_INTERVAL), a.flags().reviewReasons());
    }

    @Test
    void emptyOutputGivesZerosAndNoFlags() {
        LesionAnalysis a = run(SMALL_LESIONS);
        assertEquals(0, a.volumeMl());
        assertEquals(AbcMeasurement.NONE, a.abc());
        assertEquals(0, a.uncertainty().meanEntropyLesion());
        assertFalse(a.flags().ichDetected() || a.flags().needsReview() || a.flags().largeVolume());
    }

    @Test
    void resizesProbabilitiesBackToTheNativeMatrix() {
        // model at 32 x 32, native 64 x 64: a 4x4 block at p = 1 becomes 8x8 native pixels at p >= 0.5
        int s32 = 32;
        float[] p = new float[N * s32 * s32];
        for (int r = 8; r < 12; r++) for (int c = 8; c < 12; c++) p[3 * s32 * s32 + r * s32 + c] = 1f;
        List<SliceMask> masks = new ArrayList<>();
        for (boolean[] b : brain) masks.add(SliceMask.of(M, M, b));
        PreprocessedVolume pre = new PreprocessedVolume(N, s32, M, M, new float[N * s32 * s32], masks);
        ModelOutput out = new ModelOutput(N, s32, p, new float[3 * N * s32 * s32], new float[N * s32 * s32]);
        LesionAnalysis a = new Postprocessor(SMALL_LESIONS.withGate(PhysicsGate.OFF)).postprocess(GEOMETRY, pre, out, CARD);
        assertEquals(64, a.lesionVoxels());
        assertTrue(a.lesionMask().get(3).get(16, 16) && a.lesionMask().get(3).get(23, 23));
        assertFalse(a.lesionMask().get(3).get(15, 16) || a.lesionMask().get(3).get(24, 23));
    }
}
