package org.ichtriage.phantom;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Everything that determines a phantom: the same spec always gives the same voxels.
 *
 * @param seed            drives anatomy, pose, lesion placement and noise
 * @param matrix          rows = columns
 * @param slices          number of axial slices
 * @param pixelSpacingMm  in-plane spacing (square pixels)
 * @param sliceStepMm     distance between slice centres; each slice averages three samples across it
 * @param lesions         hemorrhages to place (empty: a normal head)
 * @param hardNegatives   non-hemorrhage dense findings to add
 */
public record PhantomSpec(long seed, int matrix, int slices, double pixelSpacingMm, double sliceStepMm,
                          List<LesionType> lesions, List<HardNegative> hardNegatives) {

    public static final int MIN_MATRIX = 64;
    public static final int MAX_MATRIX = 512;
    public static final int MAX_SLICES = 64;
    public static final double DEFAULT_STEP_MM = 5.0;

    public PhantomSpec {
        if (matrix < MIN_MATRIX || matrix > MAX_MATRIX) {
            throw new PhantomSpecException("matrix", matrix, MIN_MATRIX + ".." + MAX_MATRIX);
        }
        if (slices < 1 || slices > MAX_SLICES) {
            throw new PhantomSpecException("slices", slices, "1.." + MAX_SLICES);
        }
        if (!(pixelSpacingMm >= 0.2 && pixelSpacingMm <= 2.0)) {
            throw new PhantomSpecException("pixelSpacingMm", pixelSpacingMm, "0.2..2.0");
        }
        if (!(sliceStepMm >= 0.5 && sliceStepMm <= 10.0)) {
            throw new PhantomSpecException("sliceStepMm", sliceStepMm, "0.5..10.0");
        }
        if (lesions == null || lesions.stream().anyMatch(java.util.Objects::isNull)) {
            throw new PhantomSpecException("lesions", lesions, "a list without nulls");
        }
        if (hardNegatives == null || hardNegatives.stream().anyMatch(java.util.Objects::isNull)) {
            throw new PhantomSpecException("hardNegatives", hardNegatives, "a list without nulls");
        }
        lesions = List.copyOf(lesions);
        hardNegatives = List.copyOf(hardNegatives);
    }

    /** A head without hemorrhage, 256 matrix, slice count and field of view drawn from the seed as in Python. */
    public static PhantomSpec normal(long seed) {
        return withLesions(seed);
    }

    /** One intraparenchymal clot: the easiest kind to see, used by the demo and the volume tests. */
    public static PhantomSpec withHemorrhage(long seed) {
        return withLesions(seed, LesionType.IPH);
    }

    public static PhantomSpec withLesions(long seed, LesionType... lesions) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        // simple_volume: n_slices in [20, 36), field of view uniform(200, 260) mm over the matrix
        int slices = r.nextInt(20, 36);
        double fov = 200 + 60 * r.nextDouble();
        return new PhantomSpec(seed, 256, slices, fov / 256, DEFAULT_STEP_MM, List.of(lesions), List.of());
    }

    /** The training mix: 20 % normal, 60 % one lesion, 20 % two; each hard negative with probability 0.4. */
    public static PhantomSpec random(long seed) {
        PhantomSpec base = withLesions(seed);
        SplittableRandom r = new SplittableRandom(seed ^ 0x2545F4914F6CDD1DL);
        double u = r.nextDouble();
        List<LesionType> pool = new ArrayList<>(List.of(LesionType.values()));
        List<LesionType> chosen = new ArrayList<>();
        int n = u < 0.2 ? 0 : u < 0.8 ? 1 : 2;
        for (int i = 0; i < n; i++) {
            chosen.add(pool.remove(r.nextInt(pool.size())));
        }
        List<HardNegative> hard = new ArrayList<>();
        if (r.nextDouble() < 0.4) {
            hard.add(HardNegative.CALCIFICATION);
        }
        if (r.nextDouble() < 0.4) {
            hard.add(HardNegative.STREAK);
        }
        return new PhantomSpec(seed, base.matrix, base.slices, base.pixelSpacingMm, base.sliceStepMm, chosen, hard);
    }

    /** Same head and field of view on another matrix (e.g. 512): spacing scales so the FOV is kept. */
    public PhantomSpec withMatrix(int newMatrix) {
        if (newMatrix < MIN_MATRIX || newMatrix > MAX_MATRIX) {
            throw new PhantomSpecException("matrix", newMatrix, MIN_MATRIX + ".." + MAX_MATRIX);
        }
        return new PhantomSpec(seed, newMatrix, slices, pixelSpacingMm * matrix / newMatrix, sliceStepMm, lesions,
                hardNegatives);
    }

    public PhantomSpec withSlices(int newSlices) {
        return new PhantomSpec(seed, matrix, newSlices, pixelSpacingMm, sliceStepMm, lesions, hardNegatives);
    }

    public PhantomSpec withHardNegatives(HardNegative... hard) {
        return new PhantomSpec(seed, matrix, slices, pixelSpacingMm, sliceStepMm, lesions, List.of(hard));
    }

    public double fieldOfViewMm() {
        return pixelSpacingMm * matrix;
    }
}
