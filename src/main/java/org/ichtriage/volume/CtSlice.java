package org.ichtriage.volume;

import java.util.List;
import java.util.Objects;

/**
 * The header facts and stored pixels of one CT image, as decoded from DICOM. Immutable: arrays are
 * copied in and out, except the pixel array which is only readable element-wise to avoid copying
 * half a megabyte per access.
 *
 * <p>Geometry arrays may be {@code null} when the tag was absent; the assembler refuses such a
 * series with {@link RefusalReason#MISSING_GEOMETRY} rather than guessing.
 *
 * @param pixelSpacing            (0028,0030): [row spacing, column spacing] in mm, i.e. the distance
 *                                between rows, then between columns
 * @param imagePositionPatient    (0020,0032): centre of the first transmitted pixel, mm
 * @param imageOrientationPatient (0020,0037): row direction cosines then column direction cosines
 * @param storedPixels            raw stored values, row-major, {@code rows*columns}; null when the
 *                                instance carried no pixel data. Unsigned data is held bit-exact in
 *                                the short and widened by {@link #storedValue(int)}
 * @param byteSize                size of the encoded instance, for the per-series byte limit
 * @param sliceThicknessMm        (0018,0050), null when absent or not a positive number
 * @param frameOfReferenceUid     (0020,0052), null when absent
 * @param pixelDataIssue          why {@code storedPixels} is null, when it is
 */
public record CtSlice(
        String sopInstanceUid,
        String seriesInstanceUid,
        String modality,
        List<String> imageType,
        Integer acquisitionNumber,
        int instanceNumber,
        Integer imagesInAcquisition,
        int rows,
        int columns,
        double[] pixelSpacing,
        double[] imagePositionPatient,
        double[] imageOrientationPatient,
        double rescaleSlope,
        double rescaleIntercept,
        short[] storedPixels,
        int pixelRepresentation,
        long byteSize,
        Double sliceThicknessMm,
        String frameOfReferenceUid,
        PixelDataIssue pixelDataIssue) {

    /** Why an instance has no usable pixels: the refusal it causes and what exactly is wrong. */
    public record PixelDataIssue(RefusalReason reason, String detail) {
        public PixelDataIssue {
            Objects.requireNonNull(reason);
            Objects.requireNonNull(detail);
        }
    }

    public CtSlice {
        Objects.requireNonNull(sopInstanceUid, "sopInstanceUid");
        imageType = imageType == null ? List.of() : List.copyOf(imageType);
        pixelSpacing = pixelSpacing == null ? null : pixelSpacing.clone();
        imagePositionPatient = imagePositionPatient == null ? null : imagePositionPatient.clone();
        imageOrientationPatient = imageOrientationPatient == null ? null : imageOrientationPatient.clone();
        storedPixels = storedPixels == null ? null : storedPixels.clone();
        if (pixelRepresentation != 0 && pixelRepresentation != 1) {
            throw new IllegalArgumentException("PixelRepresentation (0028,0103) must be 0 or 1, was " + pixelRepresentation);
        }
    }

    @Override
    public double[] pixelSpacing() {
        return pixelSpacing == null ? null : pixelSpacing.clone();
    }

    @Override
    public double[] imagePositionPatient() {
        return imagePositionPatient == null ? null : imagePositionPatient.clone();
    }

    @Override
    public double[] imageOrientationPatient() {
        return imageOrientationPatient == null ? null : imageOrientationPatient.clone();
    }

    /** A copy of the stored pixels (null when absent); prefer {@link #storedValue(int)} in loops. */
    @Override
    public short[] storedPixels() {
        return storedPixels == null ? null : storedPixels.clone();
    }

    public boolean hasPixelData() {
        return storedPixels != null && storedPixels.length == rows * columns;
    }

    public boolean isLocalizer() {
        return imageType.stream().anyMatch(v -> v.trim().equalsIgnoreCase("LOCALIZER"));
    }

    /** Stored value at a row-major index, signed or unsigned per PixelRepresentation. */
    public int storedValue(int index) {
        short s = storedPixels[index];
        return pixelRepresentation == 1 ? s : (s & 0xFFFF);
    }

    /** Hounsfield units at a row-major index, computed in double. */
    public double hu(int index) {
        return storedValue(index) * rescaleSlope + rescaleIntercept;
    }

    /** Copies this slice with different pixels; used by tests and phantoms. */
    public CtSlice withStoredPixels(short[] pixels) {
        return new CtSlice(sopInstanceUid, seriesInstanceUid, modality, imageType, acquisitionNumber, instanceNumber,
                imagesInAcquisition, rows, columns, pixelSpacing, imagePositionPatient, imageOrientationPatient,
                rescaleSlope, rescaleIntercept, pixels, pixelRepresentation, byteSize, sliceThicknessMm, frameOfReferenceUid,
                pixels == null ? pixelDataIssue : null);
    }
}
