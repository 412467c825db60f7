package org.ichtriage.inference;

/**
 * Entropy summary (natural log, so at most ln 2 = 0.693). Means are 0 over an empty region.
 *
 * @param highEntropyFraction fraction of lesion + band voxels with entropy above 0.5 ln 2
 */
public record UncertaintySummary(double meanEntropyLesion, double meanEntropyBand, double highEntropyFraction,
                                 long lesionVoxels, long bandVoxels) {
    public static final double HIGH_ENTROPY = 0.5 * Math.log(2);
}
