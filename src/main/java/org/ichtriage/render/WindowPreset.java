package org.ichtriage.render;

import java.util.Locale;
import java.util.Optional;

/**
 * The CT windows a radiologist reads a head CT with (centre and width in HU). The subdural window is
 * wide enough to separate a thin hyperdense collection from the inner table of the skull.
 */
public enum WindowPreset {
    BRAIN(40, 80),
    SUBDURAL(75, 215),
    BONE(600, 2800);

    private final double centre;
    private final double width;

    WindowPreset(double centre, double width) {
        this.centre = centre;
        this.width = width;
    }

    public double centre() {
        return centre;
    }

    public double width() {
        return width;
    }

    /** Grey level 0..255 of a value in HU, linear inside the window. */
    public int grey(double hu) {
        double low = centre - width / 2;
        double g = (hu - low) / width * 255.0;
        return g <= 0 ? 0 : g >= 255 ? 255 : (int) Math.round(g);
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<WindowPreset> fromWireName(String name) {
        for (WindowPreset w : values()) {
            if (w.wireName().equals(name)) {
                return Optional.of(w);
            }
        }
        return Optional.empty();
    }
}
