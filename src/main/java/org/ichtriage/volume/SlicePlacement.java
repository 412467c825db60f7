package org.ichtriage.volume;

import java.util.OptionalDouble;

/**
 * Where one slice lies along its stack, from its own header: the projection of ImagePositionPatient
 * on the normal of ImageOrientationPatient, in mm. What the assembly needs to see that a stack is
 * contiguous before the volume is built.
 */
public final class SlicePlacement {
    private SlicePlacement() {}

    /** Empty when either attribute is missing, not 3 and 6 numbers, or the orientation is degenerate. */
    public static OptionalDouble positionAlongNormal(double[] imagePositionPatient, double[] imageOrientationPatient) {
        if (imagePositionPatient == null || imagePositionPatient.length != 3
                || imageOrientationPatient == null || imageOrientationPatient.length != 6) {
            return OptionalDouble.empty();
        }
        double[] o = imageOrientationPatient;
        double nx = o[1] * o[5] - o[2] * o[4];
        double ny = o[2] * o[3] - o[0] * o[5];
        double nz = o[0] * o[4] - o[1] * o[3];
        double norm = Math.sqrt(nx * nx + ny * ny + nz * nz);
        if (!(norm > 0.5) || !Double.isFinite(norm)) {
            return OptionalDouble.empty();
        }
        double[] p = imagePositionPatient;
        double position = (p[0] * nx + p[1] * ny + p[2] * nz) / norm;
        return Double.isFinite(position) ? OptionalDouble.of(position) : OptionalDouble.empty();
    }

    /** SpacingBetweenSlices when present and positive, else SliceThickness; empty when neither is usable. */
    public static OptionalDouble nominalSpacing(double[] spacingBetweenSlices, double[] sliceThickness) {
        if (spacingBetweenSlices != null && spacingBetweenSlices.length > 0 && spacingBetweenSlices[0] > 0
                && Double.isFinite(spacingBetweenSlices[0])) {
            return OptionalDouble.of(spacingBetweenSlices[0]);
        }
        if (sliceThickness != null && sliceThickness.length > 0 && sliceThickness[0] > 0 && Double.isFinite(sliceThickness[0])) {
            return OptionalDouble.of(sliceThickness[0]);
        }
        return OptionalDouble.empty();
    }
}
