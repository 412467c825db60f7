package org.ichtriage.dicom.seg;

import java.util.ArrayList;
import java.util.List;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.DicomWriter;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.dicom.codec.TransferSyntax;
import org.ichtriage.dicom.codec.VR;

/**
 * Encodes the rendered key images as RGB Secondary Capture instances (PS3.3 A.8.1) in one new series, for viewers
 * that cannot show a SEG.
 */
public final class KeyImageBuilder {
    public static final String SECONDARY_CAPTURE_STORAGE = "1.2.840.10008.5.1.4.1.1.7";
    static final String DERIVATION = "CT windowed, lesion outlined and result burned in by ich-triage; "
            + "not for diagnostic use";

    private KeyImageBuilder() {
    }

    /** One instance per key image, in slice order; an empty list when no slice holds lesion. */
    public static List<BuiltObject> build(KeyImageDescription d) {
        return build(d, KeyImageRenderer.render(d));
    }

    /** Encodes images already rendered from {@code d} (so PNGs and DICOM can share one rendering). */
    public static List<BuiltObject> build(KeyImageDescription d, List<RenderedKeyImage> images) {
        String seriesInstanceUid = d.uids().seriesInstanceUid();
        List<BuiltObject> out = new ArrayList<>(images.size());
        int instance = 1;
        for (RenderedKeyImage k : images) {
            out.add(encode(d, k, seriesInstanceUid, instance++));
        }
        return out;
    }

    private static BuiltObject encode(KeyImageDescription d, RenderedKeyImage k, String seriesInstanceUid, int number) {
        SourceImage src = d.source().images().get(k.sliceIndex());
        String sopInstanceUid = d.uids().instance("key-image-" + number);
        DicomObject ds = DerivedModules.startFrom(d.source().patientStudyAttributes());
        DerivedModules.sopCommon(ds, SECONDARY_CAPTURE_STORAGE, sopInstanceUid, d.contentDateTime());
        DerivedModules.series(ds, "OT", seriesInstanceUid, d.seriesNumber(), d.seriesDescription(),
                d.contentDateTime());
        // Naming the (unpaired) body part settles General Series' Laterality condition: it is then absent.
        ds.putString(Tag.BodyPartExamined, VR.CS, "HEAD");
        ds.putString(Tag.Manufacturer, VR.LO, d.manufacturer());
        ds.putString(Tag.ManufacturerModelName, VR.LO, d.manufacturerModelName());
        ds.putString(Tag.SoftwareVersions, VR.LO, d.softwareVersions());
        // SC Equipment: WSD, a workstation made this image from other images.
        ds.putString(SegTags.ConversionType, VR.CS, "WSD");
        ds.putString(SegTags.DateOfSecondaryCapture, VR.DA, DerivedModules.date(d.contentDateTime()));
        ds.putString(SegTags.TimeOfSecondaryCapture, VR.TM, DerivedModules.time(d.contentDateTime()));

        ds.putString(Tag.ImageType, VR.CS, "DERIVED", "SECONDARY");
        ds.putInts(Tag.InstanceNumber, VR.IS, number);
        ds.putString(SegTags.PatientOrientation, VR.CS);
        ds.putString(Tag.ContentDate, VR.DA, DerivedModules.date(d.contentDateTime()));
        ds.putString(Tag.ContentTime, VR.TM, DerivedModules.time(d.contentDateTime()));
        ds.putString(Tag.DerivationDescription, VR.ST, DERIVATION);
        DicomObject ref = new DicomObject();
        ref.putString(Tag.ReferencedSOPClassUID, VR.UI, src.sopClassUid());
        ref.putString(Tag.ReferencedSOPInstanceUID, VR.UI, src.sopInstanceUid());
        ref.putSequence(Tag.PurposeOfReferenceCodeSequence, List.of(CodedConcept.SOURCE_IMAGE_FOR_PROCESSING.toItem()));
        ds.putSequence(Tag.SourceImageSequence, List.of(ref));
        ds.putString(Tag.BurnedInAnnotation, VR.CS, "YES");
        ds.putString(Tag.LossyImageCompression, VR.CS, "00");
        ds.putString(Tag.ImageComments, VR.LT, KeyImageRenderer.NOT_FOR_DIAGNOSTIC_USE);

        RgbImage img = k.image();
        ds.putInts(Tag.SamplesPerPixel, VR.US, 3);
        ds.putString(Tag.PhotometricInterpretation, VR.CS, "RGB");
        ds.putInts(SegTags.PlanarConfiguration, VR.US, 0);
        ds.putInts(Tag.Rows, VR.US, img.height());
        ds.putInts(Tag.Columns, VR.US, img.width());
        ds.putInts(Tag.BitsAllocated, VR.US, 8);
        ds.putInts(Tag.BitsStored, VR.US, 8);
        ds.putInts(Tag.HighBit, VR.US, 7);
        ds.putInts(Tag.PixelRepresentation, VR.US, 0);
        ds.putBytes(Tag.PixelData, VR.OB, img.rgb());

        byte[] part10 = DicomWriter.writePart10(ds, SECONDARY_CAPTURE_STORAGE, sopInstanceUid,
                TransferSyntax.EXPLICIT_VR_LE);
        return new BuiltObject(SECONDARY_CAPTURE_STORAGE, sopInstanceUid, seriesInstanceUid, 1, part10);
    }
}
