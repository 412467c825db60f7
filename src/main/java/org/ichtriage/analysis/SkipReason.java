package org.ichtriage.analysis;

/** Why a series is not a non-contrast axial head CT that the model was made for; the wire name is the enum name. */
public enum SkipReason {
    /** Modality is not CT, or the SOP class is not a CT image (a dose report, a secondary capture) */
    NOT_CT_IMAGE,
    /** the series' or study's text names another body part (chest, spine, abdomen...) and no head term */
    NOT_HEAD,
    /** the slices are not axial within the allowed tilt (a sagittal or coronal reformat) */
    NOT_AXIAL,
    /** every slice is a localizer (scout) */
    LOCALIZER,
    /** ContrastBolusAgent is present: the model reads non-contrast CT only, where contrast looks like blood */
    CONTRAST,
    /** a bone or lung (sharp) reconstruction kernel: its noise mimics hemorrhage; the soft-tissue series is read instead */
    SHARP_KERNEL,
    /** SliceThickness outside the accepted range */
    SLICE_THICKNESS
}
