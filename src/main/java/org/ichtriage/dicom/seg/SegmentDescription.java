package org.ichtriage.dicom.seg;

import java.util.Objects;

/**
 * The one segment of a hemorrhage SEG.
 *
 * @param recommendedDisplayCIELab three PCS-Lab values scaled to 0..65535 as PS3.3 C.10.7.1.1 defines them
 */
public record SegmentDescription(String label, CodedConcept category, CodedConcept type, CodedConcept anatomicRegion,
        String algorithmName, String algorithmVersion, int[] recommendedDisplayCIELab) {
    /** Saturated red: sRGB (255,0,0) is L*=53.24, a*=80.09, b*=67.20, scaled per C.10.7.1.1. */
    public static final int[] RED_CIELAB = {34890, 53479, 50166};

    public SegmentDescription {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(anatomicRegion, "anatomicRegion");
        Objects.requireNonNull(algorithmName, "algorithmName");
        Objects.requireNonNull(algorithmVersion, "algorithmVersion");
        if (label.isBlank() || algorithmName.isBlank() || algorithmVersion.isBlank()) {
            throw new IllegalArgumentException("segment label, algorithm name and version must not be blank");
        }
        if (recommendedDisplayCIELab == null || recommendedDisplayCIELab.length != 3) {
            throw new IllegalArgumentException("RecommendedDisplayCIELabValue needs 3 values");
        }
        for (int v : recommendedDisplayCIELab) {
            if (v < 0 || v > 0xFFFF) {
                throw new IllegalArgumentException("CIELab value " + v + " outside 0..65535");
            }
        }
        recommendedDisplayCIELab = recommendedDisplayCIELab.clone();
    }

    /** The hemorrhage segment of issue 6: SCT category and type, anatomic region Brain, red. */
    public static SegmentDescription hemorrhage(String algorithmName, String algorithmVersion) {
        return new SegmentDescription("Hemorrhage", CodedConcept.MORPHOLOGICALLY_ALTERED_STRUCTURE,
                CodedConcept.HEMORRHAGE, CodedConcept.BRAIN, algorithmName, algorithmVersion, RED_CIELAB);
    }

    @Override
    public int[] recommendedDisplayCIELab() {
        return recommendedDisplayCIELab.clone();
    }
}
