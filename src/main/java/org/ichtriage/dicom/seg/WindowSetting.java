package org.ichtriage.dicom.seg;

/** A CT display window in Hounsfield units. */
public record WindowSetting(double center, double width) {
    /** The usual brain window; fresh blood (50-80 HU) shows bright against grey and white matter. */
    public static final WindowSetting BRAIN = new WindowSetting(40, 80);

    public WindowSetting {
        if (!(width > 0) || !Double.isFinite(center)) {
            throw new IllegalArgumentException("window needs a finite center and a positive width: " + center + "/" + width);
        }
    }

    /** Grey level 0..255 for a CT number (linear ramp, clamped). */
    int grey(double hu) {
        double g = (hu - (center - width / 2)) / width * 255.0;
        return (int) Math.round(Math.max(0, Math.min(255, g)));
    }
}
