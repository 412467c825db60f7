package org.ichtriage.inference;

/**
 * The one word a worklist sorts by, so that an unsure result never reads as a confident one.
 * POSITIVE: hemorrhage reported and the model's uncertainty on it is below the card's threshold;
 * INDETERMINATE: hemorrhage reported but the model is unsure of it (high_uncertainty), so a person
 * must look before anyone acts on it; NEGATIVE: nothing survived the mask, the gate and the
 * component rule. The JSON text is the lower-case name (docs/decisions/triage-category.md).
 */
public enum TriageCategory {
    POSITIVE, INDETERMINATE, NEGATIVE;

    public static TriageCategory of(boolean ichDetected, boolean highUncertainty) {
        if (!ichDetected) return NEGATIVE;
        return highUncertainty ? INDETERMINATE : POSITIVE;
    }

    public String json() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
