package org.ichtriage.pipeline;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalDouble;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.events.InstanceHeaders;
import org.ichtriage.volume.SlicePlacement;

/**
 * What the series assembly needs of one instance. The ingest reads it once and writes it into the
 * record headers ({@link InstanceHeaders}); only a record without them has its dataset parsed here.
 *
 * @param imagesInAcquisition Images in Acquisition, -1 when absent
 * @param acquisitionNumber   Acquisition Number, {@link Integer#MIN_VALUE} when absent
 * @param positionMm          position along the stack's normal, null when unknown (no early completion then)
 * @param spacingMm           nominal slice spacing, null when unknown
 */
record AssemblyFacts(String sopInstanceUid, int imagesInAcquisition, int acquisitionNumber, Double positionMm, Double spacingMm) {

    static AssemblyFacts fromDataset(DicomObject ds) {
        OptionalDouble position = SlicePlacement.positionAlongNormal(ds.getDoubles(Tag.ImagePositionPatient),
                ds.getDoubles(Tag.ImageOrientationPatient));
        OptionalDouble spacing = SlicePlacement.nominalSpacing(ds.getDoubles(Tag.SpacingBetweenSlices), ds.getDoubles(Tag.SliceThickness));
        return new AssemblyFacts(ds.getString(Tag.SOPInstanceUID), ds.getInt(Tag.ImagesInAcquisition, -1),
                ds.getInt(Tag.AcquisitionNumber, Integer.MIN_VALUE),
                position.isPresent() ? position.getAsDouble() : null, spacing.isPresent() ? spacing.getAsDouble() : null);
    }

    /** Empty when the headers lack any of the three facts or hold a malformed number. */
    static Optional<AssemblyFacts> fromHeaders(Headers headers) {
        String sop = text(headers, InstanceHeaders.SOP_INSTANCE_UID);
        String images = text(headers, InstanceHeaders.IMAGES_IN_ACQUISITION);
        String acquisition = text(headers, InstanceHeaders.ACQUISITION_NUMBER);
        if (sop == null || images == null || acquisition == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new AssemblyFacts(sop, Integer.parseInt(images),
                    acquisition.isEmpty() ? Integer.MIN_VALUE : Integer.parseInt(acquisition),
                    optionalNumber(text(headers, InstanceHeaders.SLICE_POSITION_MM)),
                    optionalNumber(text(headers, InstanceHeaders.SLICE_SPACING_MM))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Null for an absent, empty or non-finite value: a record from an older ingest simply completes by the gap. */
    private static Double optionalNumber(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        double v = Double.parseDouble(text);
        return Double.isFinite(v) ? v : null;
    }

    private static String text(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
