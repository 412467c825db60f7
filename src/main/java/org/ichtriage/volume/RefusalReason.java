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
    MISSING_GEOMETRY,
    TOO_MANY_SLICES,
    TOO_MANY_BYTES
}
