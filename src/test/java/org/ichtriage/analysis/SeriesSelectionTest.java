package org.ichtriage.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.ichtriage.config.IchConfig;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.dicom.codec.VR;
import org.junit.jupiter.api.Test;

class SeriesSelectionTest {
    /** The shipped defaults, read through the configuration as the worker reads them. */
    private static final IchConfig.Selection DEFAULTS = IchConfig.load(null, java.util.Map.of(), java.util.Map.of()).selection();
    private static final SeriesSelection SELECTION = new SeriesSelection(new SeriesSelection.Rules(DEFAULTS.enabled(), DEFAULTS.headTerms(),
            DEFAULTS.otherBodyTerms(), DEFAULTS.sharpKernelTerms(), DEFAULTS.allowContrast(), DEFAULTS.minThicknessMm(),
            DEFAULTS.maxThicknessMm(), DEFAULTS.maxTiltDegrees()));

    private static DicomObject headCt() {
        return new DicomObject()
                .putString(Tag.Modality, VR.CS, "CT")
                .putString(Tag.SOPClassUID, VR.UI, "1.2.840.10008.5.1.4.1.1.2")
                .putString(Tag.StudyDescription, VR.LO, "CT HEAD WITHOUT CONTRAST")
                .putString(Tag.SeriesDescription, VR.LO, "AXIAL 5 MM")
                .putString(Tag.ConvolutionKernel, VR.SH, "STANDARD")
                .putString(Tag.SliceThickness, VR.DS, "5")
                .putString(Tag.ImageOrientationPatient, VR.DS, "1", "0", "0", "0", "1", "0");
    }

    private static Optional<SkipReason> reason(DicomObject ds) {
        return SELECTION.check(ds, false).map(SeriesSelection.Skip::reason);
    }

    @Test
    void aNonContrastAxialHeadCtIsAnalysed() {
        assertEquals(Optional.empty(), reason(headCt()));
        // the real GE series: BodyPartExamined HEAD, kernel STD+, an 18.5 degree gantry tilt
        DicomObject ge = headCt().putString(Tag.StudyDescription, VR.LO, "HEAD").putString(Tag.BodyPartExamined, VR.CS, "HEAD")
                .putString(Tag.ConvolutionKernel, VR.SH, "STD+")
                .putString(Tag.ImageOrientationPatient, VR.DS, "1", "0", "0", "0", "0.9483237", "-0.3173047");
        assertEquals(Optional.empty(), reason(ge));
        assertEquals(Optional.empty(), reason(headCt().putString(Tag.StudyDescription, VR.LO, "")),
                "no body-part text at all: analysed (the volume checks decide)");
    }

    @Test
    void otherSeriesAreSkippedWithTheirReason() {
        assertEquals(Optional.of(SkipReason.NOT_HEAD), reason(headCt().putString(Tag.StudyDescription, VR.LO, "CT CHEST W/O")
                .putString(Tag.BodyPartExamined, VR.CS, "CHEST")));
        assertEquals(Optional.of(SkipReason.NOT_AXIAL), reason(headCt()
                .putString(Tag.ImageOrientationPatient, VR.DS, "0", "1", "0", "0", "0", "-1")), "a sagittal reformat");
        assertEquals(Optional.of(SkipReason.CONTRAST), reason(headCt().putString(Tag.ContrastBolusAgent, VR.LO, "ISOVUE300/100")));
        assertEquals(Optional.of(SkipReason.SHARP_KERNEL), reason(headCt().putString(Tag.ConvolutionKernel, VR.SH, "BONEPLUS")));
        assertEquals(Optional.of(SkipReason.SHARP_KERNEL), reason(headCt().putString(Tag.SeriesDescription, VR.LO, "AXIAL BONE 1.25")));
        assertEquals(Optional.of(SkipReason.NOT_CT_IMAGE), reason(headCt().putString(Tag.SOPClassUID, VR.UI, "1.2.840.10008.5.1.4.1.1.7")),
                "a dose report as secondary capture");
        assertEquals(Optional.of(SkipReason.NOT_CT_IMAGE), reason(headCt().putString(Tag.Modality, VR.CS, "MR")));
        assertEquals(Optional.of(SkipReason.SLICE_THICKNESS), reason(headCt().putString(Tag.SliceThickness, VR.DS, "0.2")));
        assertEquals(Optional.of(SkipReason.LOCALIZER), SELECTION.check(headCt(), true).map(SeriesSelection.Skip::reason));
    }

    @Test
    void theSeriesOwnTextDecidesBeforeTheStudys() {
        DicomObject spine = headCt().putString(Tag.StudyDescription, VR.LO, "CT HEAD AND C-SPINE")
                .putString(Tag.SeriesDescription, VR.LO, "C-SPINE AXIAL 2 MM");
        SeriesSelection.Skip skip = SELECTION.check(spine, false).orElseThrow();
        assertEquals(SkipReason.NOT_HEAD, skip.reason());
        assertTrue(skip.detail().contains("SPINE"), skip.detail());
        assertEquals(Optional.empty(), reason(spine.putString(Tag.SeriesDescription, VR.LO, "HEAD AXIAL 5 MM")));
    }

    @Test
    void selectionOffAnalysesEveryCtSeries() {
        SeriesSelection off = new SeriesSelection(SeriesSelection.Rules.off());
        assertEquals(Optional.empty(), off.check(headCt().putString(Tag.StudyDescription, VR.LO, "CT CHEST"), false));
        assertEquals(List.of(), SeriesSelection.Rules.off().headTerms());
    }
}
