package org.ichtriage.inference;

/** Why needs_review is set. Stable names: they appear in result events. */
public enum ReviewReason {
    /** mean lesion entropy above the model card's high_uncertainty_threshold */
    HIGH_UNCERTAINTY,
    /** lesion touches the intracranial mask's edge: skull stripping may have cut it */
    LESION_AT_MASK_EDGE,
    /** lesion on the first or last slice: it may continue beyond the scanned range */
    LESION_AT_VOLUME_END,
    /** the p>0.3 .. p>0.7 interval is wider than max(min mL, fraction x volume) */
    WIDE_INTERVAL
}
