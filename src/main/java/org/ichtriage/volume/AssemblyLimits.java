package org.ichtriage.volume;

/**
 * Bounds and tolerances of series assembly.
 *
 * @param maxSlices            more instances than this refuses the series (TOO_MANY_SLICES)
 * @param maxBytes             more encoded bytes than this refuses the series (TOO_MANY_BYTES)
 * @param minSlices            fewer slices per stack than this refuses it (TOO_FEW_SLICES)
 * @param maxGapRatio          a step larger than this times the median step is a gap
 * @param orientationTolerance largest allowed difference of any direction cosine between slices
 * @param positionToleranceMm  two slices closer than this along the normal are at the same place
 */
public record AssemblyLimits(int maxSlices, long maxBytes, int minSlices, double maxGapRatio,
                             double orientationTolerance, double positionToleranceMm) {

    public static final AssemblyLimits DEFAULTS = new AssemblyLimits(2000, 1_500_000_000L, 3, 2.0, 1e-3, 0.01);

    public AssemblyLimits {
        if (maxSlices < 1) throw new IllegalArgumentException("maxSlices must be >= 1, was " + maxSlices);
        if (maxBytes < 1) throw new IllegalArgumentException("maxBytes must be >= 1, was " + maxBytes);
        if (minSlices < 1) throw new IllegalArgumentException("minSlices must be >= 1, was " + minSlices);
        if (!(maxGapRatio > 1.0)) throw new IllegalArgumentException("maxGapRatio must be > 1, was " + maxGapRatio);
        if (!(orientationTolerance > 0)) throw new IllegalArgumentException("orientationTolerance must be > 0");
        if (!(positionToleranceMm > 0)) throw new IllegalArgumentException("positionToleranceMm must be > 0");
    }

    public AssemblyLimits withMaxSlices(int n) {
        return new AssemblyLimits(n, maxBytes, minSlices, maxGapRatio, orientationTolerance, positionToleranceMm);
    }

    public AssemblyLimits withMaxBytes(long n) {
        return new AssemblyLimits(maxSlices, n, minSlices, maxGapRatio, orientationTolerance, positionToleranceMm);
    }
}
