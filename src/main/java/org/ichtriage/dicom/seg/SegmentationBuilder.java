package org.ichtriage.dicom.seg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.DicomWriter;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.dicom.codec.TransferSyntax;
import org.ichtriage.dicom.codec.VR;

/**
 * Encodes a {@link SegmentationDescription} as a BINARY DICOM Segmentation (PS3.3 A.51) with one frame per source
 * slice that holds lesion, in source slice order.
 */
public final class SegmentationBuilder {
    public static final String SEGMENTATION_STORAGE = "1.2.840.10008.5.1.4.1.1.66.4";
    /** Slice steps closer than this (mm) count as equal when deciding whether SpacingBetweenSlices applies. */
    private static final double SPACING_TOLERANCE_MM = 0.01;

    /** An algorithm, not a person: the family^given form keeps dciodvfy from flagging a retired name form. */
    static final String CONTENT_CREATOR = "ich-triage^automatic";

    private SegmentationBuilder() {
    }

    /**
     * @throws EmptySegmentationException when no mask holds a voxel: a SEG must have at least one frame
     */
    public static BuiltObject build(SegmentationDescription d) throws EmptySegmentationException {
        SourceSeries src = d.source();
        List<Integer> framesFrom = new ArrayList<>();
        for (int i = 0; i < d.masks().size(); i++) {
            if (MaskChecks.count(d.masks().get(i)) > 0) {
                framesFrom.add(i);
            }
        }
        if (framesFrom.isEmpty()) {
            throw new EmptySegmentationException(src.seriesInstanceUid());
        }
        SourceImage first = src.images().get(0);
        for (SourceImage img : src.images()) {
            // One SEG has one Rows x Columns; a series mixing matrix sizes is not one volume.
            if (img.rows() != first.rows() || img.columns() != first.columns()) {
                throw new IllegalArgumentException("source image " + img.sopInstanceUid() + " is " + img.rows() + "x"
                        + img.columns() + ", the first is " + first.rows() + "x" + first.columns());
            }
        }

        String sopInstanceUid = d.uids().instance("seg");
        String seriesInstanceUid = d.uids().seriesInstanceUid();
        DicomObject ds = DerivedModules.startFrom(src.patientStudyAttributes());
        DerivedModules.sopCommon(ds, SEGMENTATION_STORAGE, sopInstanceUid, d.contentDateTime());
        DerivedModules.series(ds, "SEG", seriesInstanceUid, d.seriesNumber(), d.seriesDescription(),
                d.contentDateTime());
        DerivedModules.equipment(ds, d.manufacturer(), d.manufacturerModelName(), d.softwareVersions(),
                d.deviceSerialNumber());

        ds.putString(Tag.FrameOfReferenceUID, VR.UI, src.frameOfReferenceUid());
        String pri = src.patientStudyAttributes().getString(Tag.PositionReferenceIndicator);
        ds.putString(Tag.PositionReferenceIndicator, VR.LO, pri == null ? new String[0] : new String[] {pri});

        // General Image, Segmentation Image, Multi-frame Functional Groups.
        ds.putString(Tag.ImageType, VR.CS, "DERIVED", "PRIMARY");
        ds.putInts(Tag.InstanceNumber, VR.IS, 1);
        ds.putString(Tag.ContentDate, VR.DA, DerivedModules.date(d.contentDateTime()));
        ds.putString(Tag.ContentTime, VR.TM, DerivedModules.time(d.contentDateTime()));
        ds.putString(Tag.ContentLabel, VR.CS, "ICH");
        ds.putString(Tag.ContentDescription, VR.LO, "Intracranial hemorrhage, automatic");
        ds.putString(Tag.ContentCreatorName, VR.PN, CONTENT_CREATOR);
        ds.putString(Tag.LossyImageCompression, VR.CS, "00");
        ds.putString(Tag.SegmentationType, VR.CS, "BINARY");
        ds.putInts(Tag.SamplesPerPixel, VR.US, 1);
        ds.putString(Tag.PhotometricInterpretation, VR.CS, "MONOCHROME2");
        ds.putInts(Tag.Rows, VR.US, first.rows());
        ds.putInts(Tag.Columns, VR.US, first.columns());
        ds.putInts(Tag.BitsAllocated, VR.US, 1);
        ds.putInts(Tag.BitsStored, VR.US, 1);
        ds.putInts(Tag.HighBit, VR.US, 0);
        ds.putInts(Tag.PixelRepresentation, VR.US, 0);
        ds.putInts(Tag.NumberOfFrames, VR.IS, framesFrom.size());
        ds.putSequence(Tag.SegmentSequence, List.of(segmentItem(d.segment())));

        String dimensionOrganizationUid = d.uids().instance("seg-dimension-organization");
        ds.putSequence(Tag.DimensionOrganizationSequence,
                List.of(DerivedModules.item(Tag.DimensionOrganizationUID, VR.UI, dimensionOrganizationUid)));
        ds.putSequence(Tag.DimensionIndexSequence, List.of(
                dimension(dimensionOrganizationUid, Tag.ReferencedSegmentNumber, Tag.SegmentIdentificationSequence,
                        "Segment Number"),
                dimension(dimensionOrganizationUid, Tag.ImagePositionPatient, Tag.PlanePositionSequence,
                        "Image Position Patient")));

        boolean sameOrientation = src.images().stream()
                .allMatch(i -> Arrays.equals(i.imageOrientationPatient(), first.imageOrientationPatient()));
        boolean sameMeasures = src.images().stream()
                .allMatch(i -> Arrays.equals(i.pixelSpacing(), first.pixelSpacing())
                        && Double.compare(i.sliceThickness(), first.sliceThickness()) == 0);
        DicomObject shared = new DicomObject();
        if (sameOrientation) {
            shared.putSequence(Tag.PlaneOrientationSequence, List.of(orientation(first)));
        }
        if (sameMeasures) {
            shared.putSequence(Tag.PixelMeasuresSequence, List.of(measures(first, uniformSpacing(src))));
        }
        ds.putSequence(Tag.SharedFunctionalGroupsSequence, List.of(shared));

        List<DicomObject> perFrame = new ArrayList<>(framesFrom.size());
        List<boolean[]> frames = new ArrayList<>(framesFrom.size());
        for (int f = 0; f < framesFrom.size(); f++) {
            SourceImage img = src.images().get(framesFrom.get(f));
            frames.add(d.masks().get(framesFrom.get(f)));
            DicomObject fg = new DicomObject();
            fg.putSequence(Tag.DerivationImageSequence, List.of(derivation(img)));
            // Index values are 1-based ranks among the values present; one segment, so the plane rank is the frame's.
            fg.putSequence(Tag.FrameContentSequence,
                    List.of(new DicomObject().putInts(Tag.DimensionIndexValues, VR.UL, 1, f + 1)));
            fg.putSequence(Tag.PlanePositionSequence, List.of(new DicomObject()
                    .putDoubles(Tag.ImagePositionPatient, VR.DS, img.imagePositionPatient())));
            if (!sameOrientation) {
                fg.putSequence(Tag.PlaneOrientationSequence, List.of(orientation(img)));
            }
            if (!sameMeasures) {
                fg.putSequence(Tag.PixelMeasuresSequence, List.of(measures(img, Double.NaN)));
            }
            fg.putSequence(Tag.SegmentIdentificationSequence,
                    List.of(new DicomObject().putInts(Tag.ReferencedSegmentNumber, VR.US, 1)));
            perFrame.add(fg);
        }
        ds.putSequence(Tag.PerFrameFunctionalGroupsSequence, perFrame);

        ds.putSequence(Tag.ReferencedSeriesSequence, List.of(referencedSeries(src)));
        ds.putRaw(Tag.PixelData, VR.OB, BitPacking.pack(frames));

        byte[] part10 = DicomWriter.writePart10(ds, SEGMENTATION_STORAGE, sopInstanceUid, TransferSyntax.EXPLICIT_VR_LE);
        return new BuiltObject(SEGMENTATION_STORAGE, sopInstanceUid, seriesInstanceUid, framesFrom.size(), part10);
    }

    private static DicomObject segmentItem(SegmentDescription s) {
        DicomObject item = new DicomObject();
        item.putInts(Tag.SegmentNumber, VR.US, 1);
        item.putString(Tag.SegmentLabel, VR.LO, s.label());
        item.putString(Tag.SegmentAlgorithmType, VR.CS, "AUTOMATIC");
        item.putString(Tag.SegmentAlgorithmName, VR.LO, s.algorithmName());
        item.putSequence(Tag.SegmentedPropertyCategoryCodeSequence, List.of(s.category().toItem()));
        item.putSequence(Tag.SegmentedPropertyTypeCodeSequence, List.of(s.type().toItem()));
        item.putSequence(Tag.AnatomicRegionSequence, List.of(s.anatomicRegion().toItem()));
        item.putInts(Tag.RecommendedDisplayCIELabValue, VR.US, s.recommendedDisplayCIELab());
        // The segment has no version attribute of its own; the Algorithm Identification Macro carries it.
        DicomObject algorithm = new DicomObject();
        algorithm.putSequence(Tag.AlgorithmFamilyCodeSequence, List.of(CodedConcept.ARTIFICIAL_INTELLIGENCE.toItem()));
        algorithm.putString(Tag.AlgorithmName, VR.LO, s.algorithmName());
        algorithm.putString(Tag.AlgorithmVersion, VR.LO, s.algorithmVersion());
        item.putSequence(SegTags.SegmentationAlgorithmIdentificationSequence, List.of(algorithm));
        return item;
    }

    private static DicomObject dimension(String orgUid, int pointer, int group, String label) {
        DicomObject item = new DicomObject();
        item.putString(Tag.DimensionOrganizationUID, VR.UI, orgUid);
        item.putInts(Tag.DimensionIndexPointer, VR.AT, pointer);
        item.putInts(Tag.FunctionalGroupPointer, VR.AT, group);
        item.putString(Tag.DimensionDescriptionLabel, VR.LO, label);
        return item;
    }

    private static DicomObject orientation(SourceImage img) {
        return new DicomObject().putDoubles(Tag.ImageOrientationPatient, VR.DS, img.imageOrientationPatient());
    }

    private static DicomObject measures(SourceImage img, double spacingBetweenSlices) {
        DicomObject m = new DicomObject();
        m.putDoubles(Tag.PixelSpacing, VR.DS, img.pixelSpacing());
        if (Double.isFinite(img.sliceThickness()) && img.sliceThickness() > 0) {
            m.putDoubles(Tag.SliceThickness, VR.DS, img.sliceThickness());
        }
        if (Double.isFinite(spacingBetweenSlices)) {
            m.putDoubles(Tag.SpacingBetweenSlices, VR.DS, spacingBetweenSlices);
        }
        return m;
    }

    /**
     * The slice step along the plane normal when every step is the same, else NaN: an uneven series (as scanners
     * send after a dropped slice) must not claim one spacing.
     */
    static double uniformSpacing(SourceSeries src) {
        List<SourceImage> imgs = src.images();
        if (imgs.size() < 2) {
            return Double.NaN;
        }
        double[] o = imgs.get(0).imageOrientationPatient();
        double[] n = {o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]};
        double step = Double.NaN;
        for (int i = 1; i < imgs.size(); i++) {
            double[] a = imgs.get(i - 1).imagePositionPatient();
            double[] b = imgs.get(i).imagePositionPatient();
            double s = Math.abs((b[0] - a[0]) * n[0] + (b[1] - a[1]) * n[1] + (b[2] - a[2]) * n[2]);
            if (Double.isNaN(step)) {
                step = s;
            } else if (Math.abs(s - step) > SPACING_TOLERANCE_MM) {
                return Double.NaN;
            }
        }
        return step > 0 ? Math.round(step * 1e6) / 1e6 : Double.NaN;
    }

    private static DicomObject derivation(SourceImage img) {
        DicomObject source = new DicomObject();
        source.putString(Tag.ReferencedSOPClassUID, VR.UI, img.sopClassUid());
        source.putString(Tag.ReferencedSOPInstanceUID, VR.UI, img.sopInstanceUid());
        source.putSequence(Tag.PurposeOfReferenceCodeSequence, List.of(CodedConcept.SOURCE_IMAGE_FOR_PROCESSING.toItem()));
        // The frame has the source's rows, columns and plane, so its pixels line up with the source's.
        source.putString(SegTags.SpatialLocationsPreserved, VR.CS, "YES");
        DicomObject derivation = new DicomObject();
        derivation.putSequence(Tag.DerivationCodeSequence, List.of(CodedConcept.SEGMENTATION.toItem()));
        derivation.putSequence(Tag.SourceImageSequence, List.of(source));
        return derivation;
    }

    static DicomObject referencedSeries(SourceSeries src) {
        List<DicomObject> instances = new ArrayList<>(src.images().size());
        for (SourceImage img : src.images()) {
            DicomObject ref = new DicomObject();
            ref.putString(Tag.ReferencedSOPClassUID, VR.UI, img.sopClassUid());
            ref.putString(Tag.ReferencedSOPInstanceUID, VR.UI, img.sopInstanceUid());
            instances.add(ref);
        }
        DicomObject series = new DicomObject();
        series.putString(Tag.SeriesInstanceUID, VR.UI, src.seriesInstanceUid());
        series.putSequence(Tag.ReferencedInstanceSequence, instances);
        return series;
    }
}
