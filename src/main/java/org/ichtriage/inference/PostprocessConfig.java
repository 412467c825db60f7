package org.ichtriage.inference;

/**
 * Settings of {@link Postprocessor}.
 *
 * @param threshold              lesion when p >= threshold (docs/preprocessing.md: 0.5)
 * @param strictThreshold        p above this gives the interval's lower volume (0.7)
 * @param lenientThreshold       p above this gives the interval's upper volume (0.3)
 * @param minComponentMm3        3D 6-connected components smaller than this are removed; 0 keeps all
 * @param largeVolumeMl          large_volume when the volume is at least this
 * @param bandVoxels             in-plane half-width of the uncertainty band around the lesion
 * @param reviewIntervalMinMl    an interval wider than max(this, fraction x volume) needs review
 * @param reviewIntervalFraction see above
 * @param gate                   the physics gate, applied before the component rule
 */
public record PostprocessConfig(double threshold, double strictThreshold, double lenientThreshold,
                                double minComponentMm3, double largeVolumeMl, int bandVoxels,
                                double reviewIntervalMinMl, double reviewIntervalFraction, PhysicsGate gate) {

    /** Components under 1 mL are treated as noise: the validation optimum of the shipped model (docs/decisions/postprocessing.md). */
    public static final PostprocessConfig DEFAULTS = new PostprocessConfig(0.5, 0.7, 0.3, 1000.0, 30.0, 2, 2.0, 0.5,
            PhysicsGate.DEFAULTS);

    public PostprocessConfig {
        if (!(lenientThreshold < threshold && threshold < strictThreshold) || lenientThreshold <= 0 || strictThreshold >= 1) {
            throw new IllegalArgumentException("need 0 < lenient < threshold < strict < 1, got " + lenientThreshold
                    + ", " + threshold + ", " + strictThreshold);
        }
        if (!(minComponentMm3 >= 0)) throw new IllegalArgumentException("minComponentMm3 must be >= 0");
        if (!(largeVolumeMl > 0)) throw new IllegalArgumentException("largeVolumeMl must be > 0");
        if (bandVoxels < 1) throw new IllegalArgumentException("bandVoxels must be >= 1");
        if (!(reviewIntervalMinMl >= 0) || !(reviewIntervalFraction >= 0)) {
            throw new IllegalArgumentException("review interval settings must be >= 0");
        }
        if (gate == null) throw new IllegalArgumentException("gate must be given (PhysicsGate.OFF to disable)");
    }

    public PostprocessConfig withMinComponentMm3(double v) {
        return new PostprocessConfig(threshold, strictThreshold, lenientThreshold, v, largeVolumeMl, bandVoxels,
                reviewIntervalMinMl, reviewIntervalFraction, gate);
    }

    public PostprocessConfig withGate(PhysicsGate g) {
        return new PostprocessConfig(threshold, strictThreshold, lenientThreshold, minComponentMm3, largeVolumeMl, bandVoxels,
                reviewIntervalMinMl, reviewIntervalFraction, g);
    }

    public PostprocessConfig withLargeVolumeMl(double v) {
        return new PostprocessConfig(threshold, strictThreshold, lenientThreshold, minComponentMm3, v, bandVoxels,
                reviewIntervalMinMl, reviewIntervalFraction, gate);
    }
}
