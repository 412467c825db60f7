package org.ichtriage.board;

import org.ichtriage.events.ResultEvent;
import org.ichtriage.events.TriageCategory;

/**
 * The worklist's reading order, most urgent first. A confident hemorrhage that is large or expanding
 * comes before any other, a dead letter (no answer at all) last: it needs an engineer, not a radiologist.
 */
public enum Priority {
    CRITICAL("hemorrhage, large or expanding"),
    POSITIVE("hemorrhage"),
    INDETERMINATE("indeterminate"),
    NEGATIVE("no hemorrhage found"),
    DEAD_LETTER("no result (dead letter)");

    private final String label;

    Priority(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static Priority of(ResultEvent e) {
        TriageCategory category = e.triageCategory() != null ? TriageCategory.parse(e.triageCategory())
                : TriageCategory.derive(e.flags().ichDetected(), e.flags().highUncertainty());
        boolean positive = category == TriageCategory.POSITIVE;
        boolean expanding = e.expansion() != null
                && ResultEvent.HematomaExpansion.YES.text().equals(e.expansion().hematomaExpansion());
        if (positive && (e.flags().largeVolume() || expanding)) {
            return CRITICAL;
        }
        if (positive) {
            return POSITIVE;
        }
        return category == TriageCategory.INDETERMINATE ? INDETERMINATE : NEGATIVE;
    }
}
