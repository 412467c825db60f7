package org.ichtriage.dicom.seg;

/**
 * One rendered key image.
 *
 * @param sliceIndex   0-based index of the source image in {@link SourceSeries#images()}
 * @param lesionPixels lesion voxels on that slice
 */
public record RenderedKeyImage(int sliceIndex, int lesionPixels, RgbImage image) {
}
