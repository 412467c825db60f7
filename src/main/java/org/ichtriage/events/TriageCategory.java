package org.ichtriage.events;

import java.util.Locale;

/**
 * The one word a worklist sorts by and an alert filters on, ordered from least to most urgent
 * (docs/decisions/triage-category.md). The result event will carry it as
 * {@code triage_category}; events written before that field existed get it from {@link #derive}.
 */
public enum TriageCategory {
    NEGATIVE, INDETERMINATE, POSITIVE;

    /** The one rule for events without triage_category: a detection with high uncertainty is indeterminate. */
    public static TriageCategory derive(boolean ichDetected, boolean highUncertainty) {
        if (!ichDetected) {
            return NEGATIVE;
        }
        return highUncertainty ? INDETERMINATE : POSITIVE;
    }

    /** "positive", "indeterminate" or "negative", as in the event and the configuration. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TriageCategory parse(String s) {
        for (TriageCategory c : values()) {
            if (c.wire().equalsIgnoreCase(s.trim())) {
                return c;
            }
        }
        throw new IllegalArgumentException("'" + s + "' is not a triage category; give positive, indeterminate or negative");
    }

    public boolean atLeast(TriageCategory min) {
        return ordinal() >= min.ordinal();
    }
}
