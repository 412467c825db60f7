package org.ichtriage.inference;

/**
 * The ABC/2 estimate: A the largest diameter of the largest lesion on the slice with the largest
 * lesion area, B the largest diameter perpendicular to A, C the summed slab extents of all slices
 * holding lesion. All zero when there is no lesion.
 *
 * @param sliceIndex the slice A and B were measured on, -1 when none
 */
public record AbcMeasurement(double aMm, double bMm, double cMm, int sliceIndex) {
    public static final AbcMeasurement NONE = new AbcMeasurement(0, 0, 0, -1);

    public double volumeMl() {
        return aMm * bMm * cMm / 2.0 / 1000.0;
    }
}
