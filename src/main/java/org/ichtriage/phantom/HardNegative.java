package org.ichtriage.phantom;

/** Dense non-hemorrhage findings the training generator adds so the model learns to ignore them. */
public enum HardNegative {
    /** 1 to 4 small dense spheres (120-400 HU) in brain or ventricle. */
    CALCIFICATION,
    /** 2 to 5 thin bright/dark beam-hardening lines near the skull base. */
    STREAK
}
