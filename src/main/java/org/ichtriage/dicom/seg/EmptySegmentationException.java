package org.ichtriage.dicom.seg;

/**
 * No source slice holds lesion. A Segmentation IOD must have at least one frame (NumberOfFrames is 1..n), so the
 * caller writes no SEG and reports the empty result in the JSON event instead (docs/decisions/seg-empty-result.md).
 */
public final class EmptySegmentationException extends Exception {
    private final String sourceSeriesInstanceUid;

    public EmptySegmentationException(String sourceSeriesInstanceUid) {
        super("no lesion in any of the slices of series " + sourceSeriesInstanceUid + ": no SEG is written");
        this.sourceSeriesInstanceUid = sourceSeriesInstanceUid;
    }

    public String sourceSeriesInstanceUid() {
        return sourceSeriesInstanceUid;
    }
}
