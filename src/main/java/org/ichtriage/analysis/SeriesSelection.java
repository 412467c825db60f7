package org.ichtriage.analysis;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.Tag;

/**
 * Which series the worker analyses: by default a non-contrast axial head CT with a soft-tissue kernel.
 * Everything else is skipped with a typed reason (not dead-lettered: it is not an error that a PACS
 * also sends a chest CT, a scout or a bone-kernel series to the same port). The rules read the header
 * of the series' first instance; a series without any body-part text is analysed (the volume checks
 * then decide whether it looks like a head).
 */
public final class SeriesSelection {
    /** The rules; term lists are matched case-insensitively as substrings of the header text. */
    public record Rules(boolean enabled, List<String> headTerms, List<String> otherBodyTerms, List<String> sharpKernelTerms,
                        boolean allowContrast, double minThicknessMm, double maxThicknessMm, double maxTiltDegrees) {
        public Rules {
            headTerms = normalised(headTerms);
            otherBodyTerms = normalised(otherBodyTerms);
            sharpKernelTerms = normalised(sharpKernelTerms);
        }

        private static List<String> normalised(List<String> terms) {
            return terms.stream().map(t -> t.trim().toUpperCase(Locale.ROOT)).filter(t -> !t.isEmpty()).toList();
        }

        /** Selection off: every CT series is analysed, as before the rules existed. */
        public static Rules off() {
            return new Rules(false, List.of(), List.of(), List.of(), true, 0, Double.MAX_VALUE, 90);
        }
    }

    /** A skipped series: the reason and the header text that decided it. */
    public record Skip(SkipReason reason, String detail) {}

    private static final String CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2";
    private static final String ENHANCED_CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2.1";

    private final Rules rules;

    public SeriesSelection(Rules rules) {
        this.rules = rules;
    }

    /** Empty when the series is to be analysed. */
    public Optional<Skip> check(DicomObject first, boolean everySliceIsLocalizer) {
        if (!rules.enabled()) {
            return Optional.empty();
        }
        String modality = text(first, Tag.Modality);
        String sopClass = first.getString(Tag.SOPClassUID);
        if (!"CT".equals(modality) || !(CT_IMAGE_STORAGE.equals(sopClass) || ENHANCED_CT_IMAGE_STORAGE.equals(sopClass))) {
            return skip(SkipReason.NOT_CT_IMAGE, "Modality (0008,0060) '" + modality + "', SOP Class UID '" + sopClass + "'");
        }
        if (everySliceIsLocalizer) {
            return skip(SkipReason.LOCALIZER, "every ImageType (0008,0008) says LOCALIZER");
        }
        Optional<Skip> bodyPart = bodyPart(first);
        if (bodyPart.isPresent()) {
            return bodyPart;
        }
        double tilt = tiltDegrees(first.getDoubles(Tag.ImageOrientationPatient));
        if (tilt > rules.maxTiltDegrees()) {
            return skip(SkipReason.NOT_AXIAL, String.format(Locale.ROOT,
                    "ImageOrientationPatient (0020,0037) is %.0f degrees from axial, above %.0f", tilt, rules.maxTiltDegrees()));
        }
        String contrast = text(first, Tag.ContrastBolusAgent);
        if (!rules.allowContrast() && !contrast.isEmpty()) {
            return skip(SkipReason.CONTRAST, "ContrastBolusAgent (0018,0010) is '" + contrast + "'");
        }
        String kernel = text(first, Tag.ConvolutionKernel);
        String series = text(first, Tag.SeriesDescription);
        for (String term : rules.sharpKernelTerms()) {
            if (contains(kernel, term) || contains(series, term)) {
                return skip(SkipReason.SHARP_KERNEL, "ConvolutionKernel (0018,1210) '" + kernel + "' / SeriesDescription '" + series
                        + "' matches '" + term + "'");
            }
        }
        double[] thickness = first.getDoubles(Tag.SliceThickness);
        if (thickness != null && thickness.length > 0
                && (thickness[0] < rules.minThicknessMm() || thickness[0] > rules.maxThicknessMm())) {
            return skip(SkipReason.SLICE_THICKNESS, String.format(Locale.ROOT, "SliceThickness (0018,0050) %.2f mm is outside %.2f..%.2f mm",
                    thickness[0], rules.minThicknessMm(), rules.maxThicknessMm()));
        }
        return Optional.empty();
    }

    /**
     * The series' own text first (BodyPartExamined, SeriesDescription, ProtocolName), then the study's:
     * "CT HEAD AND C-SPINE" as a study holds a head series and a spine series, told apart by their own text.
     */
    private Optional<Skip> bodyPart(DicomObject ds) {
        String seriesText = String.join(" | ", text(ds, Tag.BodyPartExamined), text(ds, Tag.SeriesDescription), text(ds, Tag.ProtocolName));
        String studyText = text(ds, Tag.StudyDescription);
        for (String text : List.of(seriesText, studyText)) {
            if (rules.headTerms().stream().anyMatch(t -> contains(text, t))) {
                return Optional.empty();
            }
            Optional<String> other = rules.otherBodyTerms().stream().filter(t -> contains(text, t)).findFirst();
            if (other.isPresent()) {
                return skip(SkipReason.NOT_HEAD, "'" + text + "' names '" + other.get() + "' and no head term");
            }
        }
        return Optional.empty();
    }

    /** Angle between the slice normal and the patient's feet-head axis; 90 when the orientation is unknown. */
    static double tiltDegrees(double[] iop) {
        if (iop == null || iop.length != 6) {
            return 90;
        }
        double nx = iop[1] * iop[5] - iop[2] * iop[4];
        double ny = iop[2] * iop[3] - iop[0] * iop[5];
        double nz = iop[0] * iop[4] - iop[1] * iop[3];
        double norm = Math.sqrt(nx * nx + ny * ny + nz * nz);
        return norm == 0 ? 90 : Math.toDegrees(Math.acos(Math.min(1, Math.abs(nz) / norm)));
    }

    private static boolean contains(String text, String upperTerm) {
        return text.toUpperCase(Locale.ROOT).contains(upperTerm);
    }

    private static String text(DicomObject ds, int tag) {
        String s = ds.getString(tag);
        return s == null ? "" : s.trim();
    }

    private static Optional<Skip> skip(SkipReason reason, String detail) {
        return Optional.of(new Skip(reason, detail));
    }
}
