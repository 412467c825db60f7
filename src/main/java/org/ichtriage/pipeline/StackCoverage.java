package org.ichtriage.pipeline;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What the assembly knows of a series' slice positions in constant space: the lowest and highest
 * position along the normal and the one nominal spacing all slices declared. With the instance count,
 * it tells whether the slices form one contiguous, evenly spaced stack: n slices spanning
 * (n - 1) x spacing leave no hole (given distinct positions, which the volume assembly checks).
 *
 * @param unplaced a slice without a usable position or spacing was seen: the series completes by the gap
 */
public record StackCoverage(@JsonProperty("min_mm") Double minPositionMm,
                            @JsonProperty("max_mm") Double maxPositionMm,
                            @JsonProperty("spacing_mm") Double spacingMm,
                            @JsonProperty("unplaced") boolean unplaced) {
    /** Spacings that differ by more than this are not one stack. */
    static final double SPACING_TOLERANCE_MM = 0.01;
    /** The span may miss a whole number of spacings by this fraction of one (rounding in the headers). */
    static final double STEP_TOLERANCE = 0.1;

    public static StackCoverage empty() {
        return new StackCoverage(null, null, null, false);
    }

    StackCoverage with(Double positionMm, Double slicesSpacingMm) {
        if (unplaced || positionMm == null || slicesSpacingMm == null
                || (spacingMm != null && Math.abs(spacingMm - slicesSpacingMm) > SPACING_TOLERANCE_MM)) {
            return new StackCoverage(minPositionMm, maxPositionMm, spacingMm, true);
        }
        return new StackCoverage(minPositionMm == null ? positionMm : Math.min(minPositionMm, positionMm),
                maxPositionMm == null ? positionMm : Math.max(maxPositionMm, positionMm), slicesSpacingMm, false);
    }

    /** The covered length along the normal in mm, or 0 when nothing is placed. */
    public double spanMm() {
        return minPositionMm == null ? 0 : maxPositionMm - minPositionMm;
    }

    /**
     * True when {@code instances} slices at the declared spacing exactly fill the span, and the span
     * covers at least {@code minCoverageMm} (a head from skull base to vertex is 120 mm or more).
     */
    public boolean contiguous(int instances, double minCoverageMm) {
        if (unplaced || spacingMm == null || minPositionMm == null || instances < 3) {
            return false;
        }
        double steps = spanMm() / spacingMm;
        long whole = Math.round(steps);
        return Math.abs(steps - whole) <= STEP_TOLERANCE && whole + 1 == instances && spanMm() >= minCoverageMm;
    }
}
