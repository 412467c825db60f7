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
        List<SourceImage> images = new ArrayList<>(datasets.size());
        for (DicomObject ds : datasets) {
            images.add(imageOf(ds));
        }
        return of(datasets.get(0), images);
    }

    /**
     * Describes a series from the first instance's attributes (Patient, Study, Series and Frame of Reference are
     * shared by every instance) and its images in slice order.
     *
     * @throws IllegalArgumentException naming the tag when the first instance lacks the series or frame of reference
     */
    public static SourceSeries of(DicomObject firstInstance, List<SourceImage> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("a source series needs at least one image");
        }
        String sop = images.get(0).sopInstanceUid();
        return new SourceSeries(firstInstance, require(firstInstance, Tag.SeriesInstanceUID, sop),
                require(firstInstance, Tag.FrameOfReferenceUID, sop), images);
    }

    /**
     * The reference a derived object makes to one source instance, read from its dataset.
     *
     * @throws IllegalArgumentException naming the tag and instance when a geometry attribute is missing
     */
    public static SourceImage imageOf(DicomObject ds) {
        String sop = require(ds, Tag.SOPInstanceUID, "?");
        return new SourceImage(require(ds, Tag.SOPClassUID, sop), sop, instanceNumber(ds.getString(Tag.InstanceNumber)),
                requireDoubles(ds, Tag.ImagePositionPatient, 3, sop),
                requireDoubles(ds, Tag.ImageOrientationPatient, 6, sop),
                requireDoubles(ds, Tag.PixelSpacing, 2, sop),
                thickness(ds.getDoubles(Tag.SliceThickness)), ds.getInt(Tag.Rows, -1), ds.getInt(Tag.Columns, -1));
    }

    /** SliceThickness is type 2 in CT: absent or empty reads as unknown. */
    private static double thickness(double[] values) {
        return values == null || values.length == 0 ? Double.NaN : values[0];
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
