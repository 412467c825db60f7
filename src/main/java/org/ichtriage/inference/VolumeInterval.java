package org.ichtriage.inference;

/** Lesion volume at the strict (p > 0.7) and lenient (p > 0.3) thresholds, mL. */
public record VolumeInterval(double lowerMl, double upperMl) {
    public double widthMl() {
        return upperMl - lowerMl;
    }
}
