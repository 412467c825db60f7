package org.ichtriage.dicom.seg;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.Tag;

/**
 * The CT series a derived object refers to.
 *
 * @param patientStudyAttributes the first source instance's dataset; the Patient, Patient Study and General Study
 *                               modules are copied from it
 * @param images                 the source slices in slice order
 */
public record SourceSeries(DicomObject patientStudyAttributes, String seriesInstanceUid, String frameOfReferenceUid,
        List<SourceImage> images) {
    public SourceSeries {
        Objects.requireNonNull(patientStudyAttributes, "patientStudyAttributes");
        Objects.requireNonNull(seriesInstanceUid, "seriesInstanceUid");
        Objects.requireNonNull(frameOfReferenceUid, "frameOfReferenceUid");
        images = List.copyOf(images);
        if (images.isEmpty()) {
            throw new IllegalArgumentException("a source series needs at least one image");
        }
        if (patientStudyAttributes.getString(Tag.StudyInstanceUID) == null) {
            throw new IllegalArgumentException("source dataset has no StudyInstanceUID " + Tag.toString(Tag.StudyInstanceUID));
        }
    }

    /**
     * Describes a series from its instance datasets, already in slice order.
     *
     * @throws IllegalArgumentException naming the tag and instance when a geometry attribute is missing
     */
    public static SourceSeries fromDatasets(List<DicomObject> datasets) {
        if (datasets.isEmpty()) {
            throw new IllegalArgumentException("a source series needs at least one image");
        }
        DicomObject first = datasets.get(0);
        List<SourceImage> images = new ArrayList<>(datasets.size());
        for (DicomObject ds : datasets) {
            String sop = require(ds, Tag.SOPInstanceUID, "?");
            String number = ds.getString(Tag.InstanceNumber);
            images.add(new SourceImage(require(ds, Tag.SOPClassUID, sop), sop, instanceNumber(number),
                    requireDoubles(ds, Tag.ImagePositionPatient, 3, sop),
                    requireDoubles(ds, Tag.ImageOrientationPatient, 6, sop),
                    requireDoubles(ds, Tag.PixelSpacing, 2, sop),
                    ds.contains(Tag.SliceThickness) ? ds.getDoubles(Tag.SliceThickness)[0] : Double.NaN,
                    ds.getInt(Tag.Rows, -1), ds.getInt(Tag.Columns, -1)));
        }
        return new SourceSeries(first, require(first, Tag.SeriesInstanceUID, images.get(0).sopInstanceUid()),
                require(first, Tag.FrameOfReferenceUID, images.get(0).sopInstanceUid()), images);
    }

    /** InstanceNumber is type 2 in CT: it may be empty, or written with spaces or a sign. */
    private static java.util.OptionalInt instanceNumber(String value) {
        if (value == null || value.isBlank()) {
            return java.util.OptionalInt.empty();
        }
        try {
            return java.util.OptionalInt.of(Integer.parseInt(value.strip()));
        } catch (NumberFormatException e) {
            return java.util.OptionalInt.empty();
        }
    }

    private static String require(DicomObject ds, int tag, String sop) {
        String s = ds.getString(tag);
        if (s == null || s.isEmpty()) {
            throw new IllegalArgumentException("source instance " + sop + " lacks " + Tag.toString(tag));
        }
        return s;
    }

    private static double[] requireDoubles(DicomObject ds, int tag, int n, String sop) {
        double[] d = ds.getDoubles(tag);
        if (d == null || d.length != n) {
            throw new IllegalArgumentException("source instance " + sop + " needs " + n + " values in " + Tag.toString(tag));
        }
        for (double v : d) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("source instance " + sop + " has a non-number in " + Tag.toString(tag));
            }
        }
        return d;
    }
}
