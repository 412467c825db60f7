package org.ichtriage.dicom.seg;

import java.util.Objects;

/**
 * One source CT slice as the derived objects need it: its identity and its plane in patient space.
 * Position and orientation are taken per image, so a tilted gantry or an uneven slice step is carried through
 * unchanged rather than recomputed from a nominal spacing.
 */
public record SourceImage(String sopClassUid, String sopInstanceUid, java.util.OptionalInt instanceNumber,
        double[] imagePositionPatient, double[] imageOrientationPatient, double[] pixelSpacing, double sliceThickness, int rows,
        int columns) {
    public SourceImage {
        Objects.requireNonNull(instanceNumber, "instanceNumber");
        Objects.requireNonNull(sopClassUid, "sopClassUid");
        Objects.requireNonNull(sopInstanceUid, "sopInstanceUid");
        if (imagePositionPatient == null || imagePositionPatient.length != 3) {
            throw new IllegalArgumentException("ImagePositionPatient needs 3 values in " + sopInstanceUid);
        }
        if (imageOrientationPatient == null || imageOrientationPatient.length != 6) {
            throw new IllegalArgumentException("ImageOrientationPatient needs 6 values in " + sopInstanceUid);
        }
        if (pixelSpacing == null || pixelSpacing.length != 2 || !(pixelSpacing[0] > 0) || !(pixelSpacing[1] > 0)) {
            throw new IllegalArgumentException("PixelSpacing needs 2 positive values in " + sopInstanceUid);
        }
        if (rows <= 0 || columns <= 0) {
            throw new IllegalArgumentException("rows and columns must be positive in " + sopInstanceUid);
        }
        imagePositionPatient = imagePositionPatient.clone();
        imageOrientationPatient = imageOrientationPatient.clone();
        pixelSpacing = pixelSpacing.clone();
    }

    @Override
    public double[] imagePositionPatient() {
        return imagePositionPatient.clone();
    }

    @Override
    public double[] imageOrientationPatient() {
        return imageOrientationPatient.clone();
    }

    /**
     * Where the slice lies along its normal, in mm: ImagePositionPatient projected on row x column of
     * ImageOrientationPatient, what viewers show as the slice location (z for an axial series, and along
     * the tilted normal for a tilted gantry).
     */
    public double locationMm() {
        double[] o = imageOrientationPatient;
        double nx = o[1] * o[5] - o[2] * o[4];
        double ny = o[2] * o[3] - o[0] * o[5];
        double nz = o[0] * o[4] - o[1] * o[3];
        return imagePositionPatient[0] * nx + imagePositionPatient[1] * ny + imagePositionPatient[2] * nz;
    }

    @Override
    public double[] pixelSpacing() {
        return pixelSpacing.clone();
    }
}
