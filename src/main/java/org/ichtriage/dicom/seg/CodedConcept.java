package org.ichtriage.dicom.seg;

import java.util.Objects;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.dicom.codec.VR;

/** A coded entry (PS3.3 Code Sequence Macro, Table 8.8-1): value, coding scheme designator and meaning. */
public record CodedConcept(String value, String scheme, String meaning) {
    public static final CodedConcept MORPHOLOGICALLY_ALTERED_STRUCTURE =
            new CodedConcept("49755003", "SCT", "Morphologically Altered Structure");
    public static final CodedConcept HEMORRHAGE = new CodedConcept("50960005", "SCT", "Hemorrhage");
    public static final CodedConcept BRAIN = new CodedConcept("12738006", "SCT", "Brain");
    /** DCM 121322, the purpose of reference for a segmentation's source images (CID 7202). */
    public static final CodedConcept SOURCE_IMAGE_FOR_PROCESSING =
            new CodedConcept("121322", "DCM", "Source image for image processing operation");
    /** DCM 113076, the derivation code of a segmentation (CID 7203). */
    public static final CodedConcept SEGMENTATION = new CodedConcept("113076", "DCM", "Segmentation");

    /** DCM 123110, the algorithm family of a trained network (CID 7162). */
    public static final CodedConcept ARTIFICIAL_INTELLIGENCE = new CodedConcept("123110", "DCM", "Artificial Intelligence");

    public CodedConcept {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(meaning, "meaning");
        // SH holds 16 characters: a longer code value would need Long Code Value, which we never emit.
        if (value.isEmpty() || value.length() > 16 || scheme.isEmpty() || scheme.length() > 16 || meaning.isEmpty()
                || meaning.length() > 64) {
            throw new IllegalArgumentException("coded concept does not fit SH/SH/LO: " + value + " " + scheme
                    + " '" + meaning + "'");
        }
    }

    /** One item of a code sequence. */
    public DicomObject toItem() {
        DicomObject item = new DicomObject();
        item.putString(Tag.CodeValue, VR.SH, value);
        item.putString(Tag.CodingSchemeDesignator, VR.SH, scheme);
        item.putString(Tag.CodeMeaning, VR.LO, meaning);
        return item;
    }
}
