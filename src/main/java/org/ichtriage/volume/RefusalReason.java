package org.ichtriage.volume;

/** Why a series cannot be turned into a volume. Stable names: they appear in dead-letter events. */
public enum RefusalReason {
    NOT_CT,
    MIXED_SERIES,
    TOO_FEW_SLICES,
    MIXED_ORIENTATION,
    MIXED_MATRIX,
    GAP_TOO_LARGE,
    DUPLICATE_POSITION,
    CONFLICTING_DUPLICATE,
    MISSING_PIXEL_DATA,
    /** BitsAllocated (0028,0100) other than 16 */
    UNSUPPORTED_BITS_ALLOCATED,
    /** SamplesPerPixel (0028,0002) other than 1: colour, not a CT image */
    UNSUPPORTED_SAMPLES_PER_PIXEL,
    /** PixelData shorter than Rows x Columns x 2 bytes */
    TRUNCATED_PIXEL_DATA,
    MISSING_GEOMETRY,
    TOO_MANY_SLICES,
    TOO_MANY_BYTES,
    /** the slices do not cover the head contiguously: steps beyond the SliceThickness, or far fewer slices than announced */
    INCOMPLETE_COVERAGE,
    /** the slices of one stack name different FrameOfReferenceUIDs (0020,0052): their positions are not comparable */
    MIXED_FRAME_OF_REFERENCE,
    /** RescaleSlope/Intercept turn the stored values into Hounsfield units no CT produces */
    IMPLAUSIBLE_HU,
    /** no slice holds the soft tissue of a head (an all-air or blank series) */
    NO_HEAD_FOUND
}
