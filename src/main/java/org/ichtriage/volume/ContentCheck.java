package org.ichtriage.volume;

import java.util.Locale;
import java.util.Optional;

/**
 * Whether an assembled volume can be a head CT at all, checked before inference: the model answers
 * any input with a confident-looking number, so input it was never meant for must be refused with a
 * reason instead of becoming a 0 mL negative with every flag false.
 */
public final class ContentCheck {
    /** The Hounsfield units a CT image can hold: air and padding down to -8192, extended-range metal up to 65535. */
    public static final double MIN_PLAUSIBLE_HU = -8192;
    public static final double MAX_PLAUSIBLE_HU = 65535;
    /** Soft tissue, brain and blood; fat from -100. */
    static final double TISSUE_MIN_HU = -100;
    static final double TISSUE_MAX_HU = 150;
    /**
     * Least soft tissue on a head's fullest slice, mm^2 (20 cm^2). An adult brain's largest axial section
     * is about 150 cm^2; even a series covering only the vertex shows more than 20.
     */
    public static final double MIN_HEAD_TISSUE_MM2 = 2000;

    private ContentCheck() {
    }

    public static Optional<AssemblyResult.Refused> check(CtVolume volume) {
        for (CtSlice s : volume.slices()) {
            int n = s.rows() * s.columns();
            int lo = Integer.MAX_VALUE;
            int hi = Integer.MIN_VALUE;
            for (int i = 0; i < n; i++) {
                int v = s.storedValue(i);
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            double a = lo * s.rescaleSlope() + s.rescaleIntercept();
            double b = hi * s.rescaleSlope() + s.rescaleIntercept();
            double min = Math.min(a, b);
            double max = Math.max(a, b);
            if (!(s.rescaleSlope() > 0) || !Double.isFinite(min) || !Double.isFinite(max)
                    || min < MIN_PLAUSIBLE_HU || max > MAX_PLAUSIBLE_HU) {
                return Optional.of(new AssemblyResult.Refused(RefusalReason.IMPLAUSIBLE_HU, String.format(Locale.ROOT,
                        "instance %d: RescaleSlope (0028,1053) %s and RescaleIntercept (0028,1052) %s map its stored values "
                                + "%d..%d to %.6g..%.6g HU; a CT image holds %.0f..%.0f HU", s.instanceNumber(), s.rescaleSlope(),
                        s.rescaleIntercept(), lo, hi, min, max, MIN_PLAUSIBLE_HU, MAX_PLAUSIBLE_HU)));
            }
        }
        double pixelMm2 = volume.rowSpacing() * volume.columnSpacing();
        double fullest = 0;
        int fullestInstance = volume.slice(0).instanceNumber();
        for (CtSlice s : volume.slices()) {
            int n = s.rows() * s.columns();
            long tissue = 0;
            for (int i = 0; i < n; i++) {
                double hu = s.hu(i);
                if (hu >= TISSUE_MIN_HU && hu <= TISSUE_MAX_HU) tissue++;
            }
            if (tissue * pixelMm2 > fullest) {
                fullest = tissue * pixelMm2;
                fullestInstance = s.instanceNumber();
            }
        }
        if (fullest < MIN_HEAD_TISSUE_MM2) {
            return Optional.of(new AssemblyResult.Refused(RefusalReason.NO_HEAD_FOUND, String.format(Locale.ROOT,
                    "the fullest of %d slices (instance %d) holds %.1f cm^2 of soft tissue (%.0f..%.0f HU); a head holds at least %.0f cm^2",
                    volume.sliceCount(), fullestInstance, fullest / 100, TISSUE_MIN_HU, TISSUE_MAX_HU, MIN_HEAD_TISSUE_MM2 / 100)));
        }
        return Optional.empty();
    }
}
