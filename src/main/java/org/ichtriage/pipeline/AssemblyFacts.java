package org.ichtriage.pipeline;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.events.InstanceHeaders;

/**
 * What the series assembly needs of one instance. The ingest reads it once and writes it into the
 * record headers ({@link InstanceHeaders}); only a record without them has its dataset parsed here.
 *
 * @param imagesInAcquisition Images in Acquisition, -1 when absent
 * @param acquisitionNumber   Acquisition Number, {@link Integer#MIN_VALUE} when absent
 */
record AssemblyFacts(String sopInstanceUid, int imagesInAcquisition, int acquisitionNumber) {

    static AssemblyFacts fromDataset(DicomObject ds) {
        return new AssemblyFacts(ds.getString(Tag.SOPInstanceUID), ds.getInt(Tag.ImagesInAcquisition, -1),
                ds.getInt(Tag.AcquisitionNumber, Integer.MIN_VALUE));
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
                    acquisition.isEmpty() ? Integer.MIN_VALUE : Integer.parseInt(acquisition)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String text(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
