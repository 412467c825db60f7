package org.ichtriage.dicom.seg;

/** Tags the derived objects need that the codec's {@code Tag} table does not name (PS3.6). */
final class SegTags {
    private SegTags() {
    }

    static final int ConversionType = 0x00080064;
    static final int TimezoneOffsetFromUTC = 0x00080201;
    static final int ReferencedImageSequence = 0x00081140;
    static final int OtherPatientIDsSequence = 0x00101002;
    static final int PatientBirthTime = 0x00100032;
    static final int PatientSize = 0x00101020;
    static final int PatientWeight = 0x00101030;
    static final int DeidentificationMethod = 0x00120063;
    static final int DeidentificationMethodCodeSequence = 0x00120064;
    static final int DeviceSerialNumber = 0x00181000;
    static final int DateOfSecondaryCapture = 0x00181012;
    static final int TimeOfSecondaryCapture = 0x00181014;
    static final int PatientOrientation = 0x00200020;
    static final int PlanarConfiguration = 0x00280006;
    static final int SpatialLocationsPreserved = 0x0028135A;
    static final int RecognizableVisualFeatures = 0x00280302;
    static final int SegmentationAlgorithmIdentificationSequence = 0x00620007;
    static final int IssuerOfAccessionNumberSequence = 0x00080051;
}
