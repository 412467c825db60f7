package org.ichtriage.dicom.codec;

/**
 * DICOM data element tags (PS3.6) as {@code (group << 16) | element}, named by their DICOM keyword.
 * The full tag-to-VR table used for implicit VR decoding lives in {@link VR#forTag(int)}.
 */
public final class Tag {
    private Tag() {
    }

    public static final int FileMetaInformationGroupLength = 0x00020000;
    public static final int FileMetaInformationVersion = 0x00020001;
    public static final int MediaStorageSOPClassUID = 0x00020002;
    public static final int MediaStorageSOPInstanceUID = 0x00020003;
    public static final int TransferSyntaxUID = 0x00020010;
    public static final int ImplementationClassUID = 0x00020012;
    public static final int ImplementationVersionName = 0x00020013;
    public static final int SourceApplicationEntityTitle = 0x00020016;
    public static final int SpecificCharacterSet = 0x00080005;
    public static final int ImageType = 0x00080008;
    public static final int InstanceCreationDate = 0x00080012;
    public static final int InstanceCreationTime = 0x00080013;
    public static final int SOPClassUID = 0x00080016;
    public static final int SOPInstanceUID = 0x00080018;
    public static final int StudyDate = 0x00080020;
    public static final int SeriesDate = 0x00080021;
    public static final int AcquisitionDate = 0x00080022;
    public static final int ContentDate = 0x00080023;
    public static final int StudyTime = 0x00080030;
    public static final int SeriesTime = 0x00080031;
    public static final int AcquisitionTime = 0x00080032;
    public static final int ContentTime = 0x00080033;
    public static final int AccessionNumber = 0x00080050;
    public static final int Modality = 0x00080060;
    public static final int Manufacturer = 0x00080070;
    public static final int InstitutionName = 0x00080080;
    public static final int ReferringPhysicianName = 0x00080090;
    public static final int StationName = 0x00081010;
    public static final int StudyDescription = 0x00081030;
    public static final int SeriesDescription = 0x0008103E;
    public static final int ManufacturerModelName = 0x00081090;
    public static final int ReferencedSeriesSequence = 0x00081115;
    public static final int ReferencedInstanceSequence = 0x0008114A;
    public static final int ReferencedSOPClassUID = 0x00081150;
    public static final int ReferencedSOPInstanceUID = 0x00081155;
    public static final int ReferencedFrameNumber = 0x00081160;
    public static final int ReferencedSegmentNumber = 0x0062000B;
    public static final int DerivationDescription = 0x00082111;
    public static final int SourceImageSequence = 0x00082112;
    public static final int DerivationImageSequence = 0x00089124;
    public static final int DerivationCodeSequence = 0x00089215;
    public static final int PurposeOfReferenceCodeSequence = 0x0040A170;
    public static final int CodeValue = 0x00080100;
    public static final int CodingSchemeDesignator = 0x00080102;
    public static final int CodingSchemeVersion = 0x00080103;
    public static final int CodeMeaning = 0x00080104;
    public static final int PatientName = 0x00100010;
    public static final int PatientID = 0x00100020;
    public static final int IssuerOfPatientID = 0x00100021;
    public static final int PatientBirthDate = 0x00100030;
    public static final int PatientSex = 0x00100040;
    public static final int PatientAge = 0x00101010;
    public static final int PatientIdentityRemoved = 0x00120062;
    public static final int ContrastBolusAgent = 0x00180010;
    public static final int BodyPartExamined = 0x00180015;
    public static final int SliceThickness = 0x00180050;
    public static final int KVP = 0x00180060;
    public static final int SpacingBetweenSlices = 0x00180088;
    public static final int SoftwareVersions = 0x00181020;
    public static final int ProtocolName = 0x00181030;
    public static final int ReconstructionDiameter = 0x00181100;
    public static final int GantryDetectorTilt = 0x00181120;
    public static final int ConvolutionKernel = 0x00181210;
    public static final int PatientPosition = 0x00185100;
    public static final int ContentQualification = 0x00189004;
    public static final int StudyInstanceUID = 0x0020000D;
    public static final int SeriesInstanceUID = 0x0020000E;
    public static final int StudyID = 0x00200010;
    public static final int SeriesNumber = 0x00200011;
    public static final int AcquisitionNumber = 0x00200012;
    public static final int InstanceNumber = 0x00200013;
    public static final int ImagePositionPatient = 0x00200032;
    public static final int ImageOrientationPatient = 0x00200037;
    public static final int FrameOfReferenceUID = 0x00200052;
    public static final int PositionReferenceIndicator = 0x00201040;
    public static final int SliceLocation = 0x00201041;
    public static final int ImagesInAcquisition = 0x00201002;
    public static final int DimensionOrganizationUID = 0x00209164;
    public static final int DimensionOrganizationSequence = 0x00209221;
    public static final int DimensionIndexSequence = 0x00209222;
    public static final int DimensionIndexPointer = 0x00209165;
    public static final int FunctionalGroupPointer = 0x00209167;
    public static final int DimensionDescriptionLabel = 0x00209421;
    public static final int DimensionOrganizationType = 0x00209311;
    public static final int InStackPositionNumber = 0x00209057;
    public static final int StackID = 0x00209056;
    public static final int TemporalPositionIndex = 0x00209128;
    public static final int DimensionIndexValues = 0x00209157;
    public static final int FrameContentSequence = 0x00209111;
    public static final int SamplesPerPixel = 0x00280002;
    public static final int PhotometricInterpretation = 0x00280004;
    public static final int PlanarConfiguration = 0x00280006;
    public static final int NumberOfFrames = 0x00280008;
    public static final int Rows = 0x00280010;
    public static final int Columns = 0x00280011;
    public static final int PixelSpacing = 0x00280030;
    public static final int BitsAllocated = 0x00280100;
    public static final int BitsStored = 0x00280101;
    public static final int HighBit = 0x00280102;
    public static final int PixelRepresentation = 0x00280103;
    public static final int PixelPaddingValue = 0x00280120;
    public static final int WindowCenter = 0x00281050;
    public static final int WindowWidth = 0x00281051;
    public static final int RescaleIntercept = 0x00281052;
    public static final int RescaleSlope = 0x00281053;
    public static final int RescaleType = 0x00281054;
    public static final int LossyImageCompression = 0x00282110;
    public static final int SegmentSequence = 0x00620002;
    public static final int SegmentNumber = 0x00620004;
    public static final int SegmentLabel = 0x00620005;
    public static final int SegmentDescription = 0x00620006;
    public static final int SegmentAlgorithmType = 0x00620008;
    public static final int SegmentAlgorithmName = 0x00620009;
    public static final int SegmentationType = 0x00620001;
    public static final int SegmentationFractionalType = 0x00620010;
    public static final int MaximumFractionalValue = 0x0062000E;
    public static final int SegmentedPropertyCategoryCodeSequence = 0x00620003;
    public static final int SegmentedPropertyTypeCodeSequence = 0x0062000F;
    public static final int AnatomicRegionSequence = 0x00082218;
    public static final int RecommendedDisplayCIELabValue = 0x0062000D;
    public static final int SegmentIdentificationSequence = 0x0062000A;
    public static final int AlgorithmFamilyCodeSequence = 0x0066002F;
    public static final int AlgorithmName = 0x00660036;
    public static final int AlgorithmVersion = 0x00660031;
    public static final int SharedFunctionalGroupsSequence = 0x52009229;
    public static final int PerFrameFunctionalGroupsSequence = 0x52009230;
    public static final int PlanePositionSequence = 0x00209113;
    public static final int PlaneOrientationSequence = 0x00209116;
    public static final int PixelMeasuresSequence = 0x00289110;
    public static final int ContentLabel = 0x00700080;
    public static final int ContentDescription = 0x00700081;
    public static final int ContentCreatorName = 0x00700084;
    public static final int InstanceCreatorUID = 0x00080014;
    public static final int ReferencedPerformedProcedureStepSequence = 0x00081111;
    public static final int ImageComments = 0x00204000;
    public static final int BurnedInAnnotation = 0x00280301;
    public static final int PixelData = 0x7FE00010;

    /** Item, item delimitation and sequence delimitation: group FFFE, never part of a dataset's attributes. */
    public static final int Item = 0xFFFEE000;
    public static final int ItemDelimitationItem = 0xFFFEE00D;
    public static final int SequenceDelimitationItem = 0xFFFEE0DD;

    public static int group(int tag) {
        return tag >>> 16;
    }

    public static int element(int tag) {
        return tag & 0xFFFF;
    }

    /** Private tags have an odd group number (PS3.5 7.8). */
    public static boolean isPrivate(int tag) {
        return (group(tag) & 1) == 1;
    }

    /** Private creator elements reserve blocks (gggg,0010-00FF) in odd groups. */
    public static boolean isPrivateCreator(int tag) {
        int e = element(tag);
        return isPrivate(tag) && e >= 0x0010 && e <= 0x00FF;
    }

    /** Formats like dcmdump's tag column, with upper-case hex: "(0020,000E)". */
    public static String toString(int tag) {
        return String.format("(%04X,%04X)", group(tag), element(tag));
    }
}
