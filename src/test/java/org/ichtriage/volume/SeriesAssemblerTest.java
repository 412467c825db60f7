package org.ichtriage.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ichtriage.testing.CtSlices;

class SeriesAssemblerTest {

    private final SeriesAssembler assembler = new SeriesAssembler(AssemblyLimits.DEFAULTS);

    private AssemblyResult.Assembled assembled(List<CtSlice> in) {
        return assertInstanceOf(AssemblyResult.Assembled.class, assembler.assemble(in));
    }

    private AssemblyResult.Refused refused(List<CtSlice> in, RefusalReason expected) {
        AssemblyResult.Refused r = assertInstanceOf(AssemblyResult.Refused.class, assembler.assemble(in));
        assertEquals(expected, r.reason(), r.detail());
        return r;
    }

    @Test
    void sortsByPositionAlongNormalNotByInstanceNumber() {
        List<CtSlice> in = new ArrayList<>(Slices.stack(10, 0, 5, 15));
        Collections.shuffle(in, new java.util.Random(1));
        CtVolume v = assembled(in).volumes().get(0);
        assertArrayEquals(new double[] {0, 5, 10, 15}, v.positions(), 1e-9);
        assertEquals(List.of(2, 3, 1, 4), v.slices().stream().map(CtSlice::instanceNumber).toList());
        assertArrayEquals(new double[] {5, 5, 5}, v.steps(), 1e-9);
        assertEquals(0.5 * 0.5 * 5, v.voxelVolumeMm3(1), 1e-12);
    }

    @Test
    void feetFirstNormalSortsAlongTheNormal() {
        // row x column = (-1,0,0) x (0,1,0) = (0,0,-1): ascending along the normal is descending z
        List<CtSlice> in = new ArrayList<>();
        double[] iop = {-1, 0, 0, 0, 1, 0};
        for (int i = 0; i < 4; i++) in.add(Slices.slice(i + 1, new double[] {0, 0, i * 3.0}, iop, 1, 4, 4));
        CtVolume v = assembled(in).volumes().get(0);
        assertEquals(4, v.slice(0).instanceNumber());
        assertArrayEquals(new double[] {0, 0, -1}, v.normal(), 1e-12);
        assertArrayEquals(new double[] {3, 3, 3}, v.steps(), 1e-9);
    }

    @Test
    void unevenStepsGiveHalfwayExtents() {
        CtVolume v = assembled(Slices.stack(0, 4, 5, 12, 19)).volumes().get(0);
        assertArrayEquals(new double[] {4, 1, 7, 7}, v.steps(), 1e-9);
        assertArrayEquals(new double[] {4, 2.5, 4, 7, 7}, v.extents(), 1e-9);
    }

    @Test
    void tiltedGantryUsesPerpendicularStep() {
        double t = Math.toRadians(18.5);
        double[] iop = {1, 0, 0, 0, Math.cos(t), -Math.sin(t)};
        List<CtSlice> in = new ArrayList<>();
        // scanner table moves 5 mm along z per slice; the perpendicular step is 5*cos(tilt)
        for (int i = 0; i < 5; i++) in.add(Slices.slice(i + 1, new double[] {0, 0, 5.0 * i}, iop, 1, 4, 4));
        CtVolume v = assembled(in).volumes().get(0);
        for (double s : v.steps()) assertEquals(5 * Math.cos(t), s, 1e-9);
    }

    @Test
    void dropsExactDuplicatesAndListsThem() {
        List<CtSlice> in = new ArrayList<>(Slices.stack(0, 5, 10));
        in.add(Slices.axial(2, 5));
        AssemblyResult.Assembled a = assembled(in);
        assertEquals(3, a.volumes().get(0).sliceCount());
        assertEquals(List.of(AssemblyResult.SkipReason.DUPLICATE_SOP_INSTANCE),
                a.skipped().stream().map(AssemblyResult.SkippedSlice::reason).toList());
    }

    @Test
    void sameUidWithOtherPositionIsAConflict() {
        List<CtSlice> in = new ArrayList<>(Slices.stack(0, 5, 10));
        in.add(Slices.axial(2, 7));
        refused(in, RefusalReason.CONFLICTING_DUPLICATE);
    }

    @Test
    void skipsLocalizerEvenWithOtherOrientation() {
        List<CtSlice> in = new ArrayList<>(Slices.stack(0, 5, 10));
        CtSlice scout = CtSlices.axial().sop("9.9").series(Slices.SERIES).imageType(List.of("ORIGINAL", "PRIMARY", "LOCALIZER"))
                .instance(99).pixelSpacing(1, 1).orientation(new double[] {1, 0, 0, 0, 0, -1}).rescale(1, 0).byteSize(10).build();
        in.add(scout);
        AssemblyResult.Assembled a = assembled(in);
        assertEquals(3, a.volumes().get(0).sliceCount());
        assertEquals(AssemblyResult.SkipReason.LOCALIZER, a.skipped().get(0).reason());
    }

    @Test
    void otherOrientationWithoutLocalizerFlagRefuses() {
        List<CtSlice> in = new ArrayList<>(Slices.stack(0, 5, 10, 15));
        in.add(Slices.slice(5, new double[] {0, 0, 20}, new double[] {1, 0, 0, 0, 0.99, 0.141}, 1, 4, 4));
        AssemblyResult.Refused r = refused(in, RefusalReason.MIXED_ORIENTATION);
        assertTrue(r.detail().contains("instance 5"), r.detail());
    }

    @Test
    void orientationWithinToleranceIsAccepted() {
        List<CtSlice> in = new ArrayList<>(Slices.stack(0, 5, 10));
        in.add(Slices.slice(4, new double[] {-100, -100, 15}, new double[] {1, 0, 0, 0, 1, 0.0005}, 1, 4, 4));
        assertEquals(4, assembled(in).volumes().get(0).sliceCount());
    }

    @Test
    void gapLargerThanTwiceMedianRefusesWithDetail() {
        AssemblyResult.Refused r = refused(Slices.stack(0, 2.5, 5, 7.5, 10, 15.01, 17.51), RefusalReason.GAP_TOO_LARGE);
        assertEquals("gap of 5.01 mm between instance 5 and 6 exceeds 2 x median step 2.50 mm", r.detail());
    }

    @Test
    void gapOfExactlyTwiceMedianIsAccepted() {
        assertEquals(6, assembled(Slices.stack(0, 2.5, 5, 7.5, 12.5, 15)).volumes().get(0).sliceCount());
    }

    @Test
    void fewerThanThreeSlicesRefuses() {
        refused(Slices.stack(0, 5), RefusalReason.TOO_FEW_SLICES);
        refused(List.of(), RefusalReason.TOO_FEW_SLICES);
    }

    @Test
    void notCtRefuses() {
        List<CtSlice> in = new ArrayList<>(Slices.stack(0, 5));
        CtSlice mr = Slices.axial(3, 10);
        in.add(CtSlices.axial().sop(mr.sopInstanceUid()).series(mr.seriesInstanceUid()).modality("MR").imageType(mr.imageType())
                .instance(3).pixelSpacing(mr.pixelSpacing()[0], mr.pixelSpacing()[1]).position(mr.imagePositionPatient())
                .orientation(mr.imageOrientationPatient()).rescale(1, 0).byteSize(1).build());
        AssemblyResult.Refused r = refused(in, RefusalReason.NOT_CT);
        assertTrue(r.detail().contains("modality MR"), r.detail());
    }

    @Test
    void mixedMatrixRefuses() {
        List<CtSlice> in = new ArrayList<>(Slices.stack(0, 5));
        in.add(Slices.slice(3, new double[] {-100, -100, 10}, new double[] {1, 0, 0, 0, 1, 0}, 1, 4, 8));
        AssemblyResult.Refused r = refused(in, RefusalReason.MIXED_MATRIX);
        assertEquals("instance 3 is 4x8, instance 1 is 4x4", r.detail());
    }

    @Test
    void missingPixelDataRefuses() {
        List<CtSlice> in = new ArrayList<>(Slices.stack(0, 5));
        in.add(Slices.axial(3, 10).withStoredPixels(null));
        refused(in, RefusalReason.MISSING_PIXEL_DATA);
    }

    @Test
    void missingPositionRefuses() {
        List<CtSlice> in = new ArrayList<>(Slices.stack(0, 5));
        in.add(Slices.slice(3, null, new double[] {1, 0, 0, 0, 1, 0}, 1, 4, 4));
        AssemblyResult.Refused r = refused(in, RefusalReason.MISSING_GEOMETRY);
        assertTrue(r.detail().contains("(0020,0032)"), r.detail());
    }

    @Test
    void samePositionTwiceRefuses() {
        refused(Slices.stack(0, 5, 5, 10), RefusalReason.DUPLICATE_POSITION);
    }

    @Test
    void limitsRefuse() {
        SeriesAssembler small = new SeriesAssembler(AssemblyLimits.DEFAULTS.withMaxSlices(3));
        AssemblyResult r = small.assemble(Slices.stack(0, 5, 10, 15));
        assertEquals(RefusalReason.TOO_MANY_SLICES, assertInstanceOf(AssemblyResult.Refused.class, r).reason());
        SeriesAssembler fewBytes = new SeriesAssembler(AssemblyLimits.DEFAULTS.withMaxBytes(2999));
        AssemblyResult b = fewBytes.assemble(Slices.stack(0, 5, 10));
        assertEquals(RefusalReason.TOO_MANY_BYTES, assertInstanceOf(AssemblyResult.Refused.class, b).reason());
    }

    @Test
    void overlappingAcquisitionsSplitIntoStacks() {
        List<CtSlice> in = new ArrayList<>();
        double[] iop = {1, 0, 0, 0, 1, 0};
        for (int i = 0; i < 4; i++) in.add(Slices.slice(i + 1, new double[] {0, 0, 5.0 * i}, iop, 1, 4, 4));
        for (int i = 0; i < 3; i++) in.add(Slices.slice(10 + i, new double[] {0, 0, 2.0 + 5.0 * i}, iop, 2, 4, 4));
        List<CtVolume> vs = assembled(in).volumes();
        assertEquals(2, vs.size());
        assertEquals(1, vs.get(0).acquisitionNumber());
        assertEquals(4, vs.get(0).sliceCount());
        assertEquals(3, vs.get(1).sliceCount());
    }

    @Test
    void disjointAcquisitionsFormOneStack() {
        List<CtSlice> in = new ArrayList<>();
        double[] iop = {1, 0, 0, 0, 1, 0};
        for (int i = 0; i < 6; i++) in.add(Slices.slice(i + 1, new double[] {0, 0, 5.0 * i}, iop, i / 2 + 1, 4, 4));
        List<CtVolume> vs = assembled(in).volumes();
        assertEquals(1, vs.size());
        assertNull(vs.get(0).acquisitionNumber());
        assertEquals(6, vs.get(0).sliceCount());
    }

    @Test
    void huUsesSlopeInterceptAndSignedness() {
        short[] px = new short[16];
        px[5] = (short) 0xFFFF;
        CtSlice unsigned = CtSlices.axial().sop("1").series("s").imageType(List.of()).pixelSpacing(1, 1).rescale(2, -1024)
                .pixels(px).pixelRepresentation(0).byteSize(1).build();
        assertEquals(65535 * 2 - 1024, unsigned.hu(5), 0);
        CtSlice signed = unsigned.withStoredPixels(px);
        CtSlice s2 = CtSlices.axial().sop("1").series("s").imageType(List.of()).pixelSpacing(1, 1).rescale(2, -1024)
                .pixels(signed.storedPixels()).byteSize(1).build();
        assertEquals(-2 - 1024, s2.hu(5), 0);
    }

    /** Instances of a 28-slice series at 5 mm: instance n sits at z = 5 (n - 1), SliceThickness as given. */
    private static CtSlice ofTwentyEight(int instance, double thicknessMm, Integer announced) {
        return CtSlices.axial().sop("1.2.3.4.5." + instance).series(Slices.SERIES).instance(instance)
                .position(new double[] {-100, -100, 5.0 * (instance - 1)}).thickness(thicknessMm)
                .imagesInAcquisition(announced).build();
    }

    @Test
    void threeSlicesOfTwentyEightFarApartAreRefusedAgainstTheirThickness() {
        // the probe's series: 21 and 97 mm apart, 4-7 mm thick; the median step (59 mm) hides the gaps
        List<CtSlice> sparse = List.of(
                CtSlices.axial().sop("1.2.3.4.5.1").series(Slices.SERIES).instance(1).position(new double[] {-100, -100, 0}).thickness(4.0).build(),
                CtSlices.axial().sop("1.2.3.4.5.5").series(Slices.SERIES).instance(5).position(new double[] {-100, -100, 21}).thickness(7.0).build(),
                CtSlices.axial().sop("1.2.3.4.5.24").series(Slices.SERIES).instance(24).position(new double[] {-100, -100, 118}).thickness(5.0).build());
        AssemblyResult.Refused r = refused(sparse, RefusalReason.INCOMPLETE_COVERAGE);
        assertEquals("step of 21.00 mm between instance 1 and 5 exceeds 2 x SliceThickness (0018,0050) 7.00 mm: "
                + "the slices do not cover the head contiguously", r.detail());
    }

    @Test
    void aFragmentOfTheAnnouncedAcquisitionIsRefusedEvenWhenItsStepsAreTight() {
        List<CtSlice> fragment = List.of(ofTwentyEight(10, 5.0, 28), ofTwentyEight(11, 5.0, 28), ofTwentyEight(12, 5.0, 28));
        AssemblyResult.Refused r = refused(fragment, RefusalReason.INCOMPLETE_COVERAGE);
        assertTrue(r.detail().startsWith("3 slice(s) of 28 announced by ImagesInAcquisition (0020,1002)"), r.detail());
    }

    @Test
    void aContiguousSeriesStillPassesWithThicknessAndAnnouncedCount() {
        List<CtSlice> all = new ArrayList<>();
        for (int n = 1; n <= 28; n++) all.add(ofTwentyEight(n, 5.0, 28));
        assertEquals(28, assembled(all).volumes().get(0).sliceCount());
        // one missing slice is tolerated as by the median rule; fourteen of 28 is half the acquisition
        List<CtSlice> oneMissing = new ArrayList<>(all);
        oneMissing.remove(13);
        assertEquals(27, assembled(oneMissing).volumes().get(0).sliceCount());
        // thin slices at their own spacing, and a series without SliceThickness, keep the median rule only
        List<CtSlice> thin = new ArrayList<>();
        for (int n = 1; n <= 5; n++) {
            thin.add(CtSlices.axial().sop("1.2.3.4.5." + n).series(Slices.SERIES).instance(n)
                    .position(new double[] {-100, -100, 0.625 * n}).thickness(0.625).build());
        }
        assertEquals(5, assembled(thin).volumes().get(0).sliceCount());
        assertEquals(5, assembled(Slices.stack(0, 5, 10, 15, 20)).volumes().get(0).sliceCount());
    }

    @Test
    void twoFramesOfReferenceInOneSeriesAreRefused() {
        List<CtSlice> in = new ArrayList<>(Slices.stack(0, 5));
        in.add(CtSlices.axial().sop("1.2.3.4.5.3").series(Slices.SERIES).instance(3).position(new double[] {-100, -100, 10})
                .frameOfReference("1.2.3.77").build());
        AssemblyResult.Refused r = refused(in, RefusalReason.MIXED_FRAME_OF_REFERENCE);
        assertEquals("instance 3 has FrameOfReferenceUID (0020,0052) 1.2.3.77, instance 1 has 1.2.3.9", r.detail());
    }

    @Test
    void eachPixelDataProblemKeepsItsOwnReason() {
        for (RefusalReason reason : List.of(RefusalReason.UNSUPPORTED_BITS_ALLOCATED, RefusalReason.UNSUPPORTED_SAMPLES_PER_PIXEL,
                RefusalReason.TRUNCATED_PIXEL_DATA)) {
            List<CtSlice> in = new ArrayList<>(Slices.stack(0, 5));
            in.add(CtSlices.axial().sop("1.2.3.4.5.3").series(Slices.SERIES).instance(3).position(new double[] {-100, -100, 10})
                    .pixelDataIssue(new CtSlice.PixelDataIssue(reason, "says why")).build());
            AssemblyResult.Refused r = refused(in, reason);
            assertEquals("instance 3 (1.2.3.4.5.3) says why", r.detail());
        }
    }
}
