package org.ichtriage.testing;

import java.util.List;

import org.ichtriage.volume.CtSlice;

/**
 * The tests' one builder of {@link CtSlice}: an axial ORIGINAL/PRIMARY CT slice, signed, slope 1 and
 * intercept -1024, acquisition 1, whose fields a test sets by name instead of by position.
 */
public final class CtSlices {
    private String sopInstanceUid = "1.2.3.4.5.1";
    private String seriesInstanceUid = "1.2.3.4";
    private String modality = "CT";
    private List<String> imageType = List.of("ORIGINAL", "PRIMARY", "AXIAL");
    private Integer acquisitionNumber = 1;
    private int instanceNumber = 1;
    private Integer imagesInAcquisition;
    private int rows = 4;
    private int columns = 4;
    private double[] pixelSpacing = {0.5, 0.5};
    private double[] imagePositionPatient = {0, 0, 0};
    private double[] imageOrientationPatient = {1, 0, 0, 0, 1, 0};
    private double rescaleSlope = 1;
    private double rescaleIntercept = -1024;
    private short[] storedPixels;
    private int pixelRepresentation = 1;
    private long byteSize = 1000;
    private Double sliceThicknessMm;
    private String frameOfReferenceUid = "1.2.3.9";
    private CtSlice.PixelDataIssue pixelDataIssue;

    private CtSlices() {
    }

    public static CtSlices axial() {
        return new CtSlices();
    }

    public CtSlices sop(String v) { sopInstanceUid = v; return this; }
    public CtSlices series(String v) { seriesInstanceUid = v; return this; }
    public CtSlices modality(String v) { modality = v; return this; }
    public CtSlices imageType(List<String> v) { imageType = v; return this; }
    public CtSlices acquisition(Integer v) { acquisitionNumber = v; return this; }
    public CtSlices instance(int v) { instanceNumber = v; return this; }
    public CtSlices imagesInAcquisition(Integer v) { imagesInAcquisition = v; return this; }
    public CtSlices matrix(int rowCount, int columnCount) { rows = rowCount; columns = columnCount; return this; }
    public CtSlices pixelSpacing(double row, double column) { pixelSpacing = new double[] {row, column}; return this; }
    public CtSlices position(double[] v) { imagePositionPatient = v; return this; }
    public CtSlices orientation(double[] v) { imageOrientationPatient = v; return this; }
    public CtSlices rescale(double slope, double intercept) { rescaleSlope = slope; rescaleIntercept = intercept; return this; }
    /** Stored values, row-major; zeros of the matrix size when not set. */
    public CtSlices pixels(short[] v) { storedPixels = v; return this; }
    public CtSlices pixelRepresentation(int v) { pixelRepresentation = v; return this; }
    public CtSlices byteSize(long v) { byteSize = v; return this; }
    public CtSlices thickness(Double mm) { sliceThicknessMm = mm; return this; }
    public CtSlices frameOfReference(String uid) { frameOfReferenceUid = uid; return this; }
    /** No pixels, for the reason given. */
    public CtSlices pixelDataIssue(CtSlice.PixelDataIssue issue) { pixelDataIssue = issue; return this; }

    public CtSlice build() {
        return new CtSlice(sopInstanceUid, seriesInstanceUid, modality, imageType, acquisitionNumber, instanceNumber,
                imagesInAcquisition, rows, columns, pixelSpacing, imagePositionPatient, imageOrientationPatient, rescaleSlope,
                rescaleIntercept, pixelDataIssue != null ? null : storedPixels == null ? new short[rows * columns] : storedPixels,
                pixelRepresentation, byteSize, sliceThicknessMm, frameOfReferenceUid, pixelDataIssue);
    }
}
