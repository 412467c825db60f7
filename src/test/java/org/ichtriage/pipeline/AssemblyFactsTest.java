package org.ichtriage.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.dicom.codec.VR;
import org.ichtriage.events.InstanceHeaders;
import org.junit.jupiter.api.Test;

class AssemblyFactsTest {
    private static RecordHeaders headers(String sop, String images, String acquisition) {
        RecordHeaders h = new RecordHeaders();
        if (sop != null) h.add(InstanceHeaders.SOP_INSTANCE_UID, sop.getBytes(StandardCharsets.UTF_8));
        if (images != null) h.add(InstanceHeaders.IMAGES_IN_ACQUISITION, images.getBytes(StandardCharsets.UTF_8));
        if (acquisition != null) h.add(InstanceHeaders.ACQUISITION_NUMBER, acquisition.getBytes(StandardCharsets.UTF_8));
        return h;
    }

    @Test
    void headersGiveWhatTheDatasetGives() {
        DicomObject ds = new DicomObject();
        ds.putString(Tag.SOPInstanceUID, VR.UI, "1.2.3");
        ds.putString(Tag.ImagesInAcquisition, VR.IS, "40");
        ds.putString(Tag.AcquisitionNumber, VR.IS, "2");
        assertEquals(AssemblyFacts.fromDataset(ds), AssemblyFacts.fromHeaders(headers("1.2.3", "40", "2")).orElseThrow());

        DicomObject bare = new DicomObject();
        bare.putString(Tag.SOPInstanceUID, VR.UI, "1.2.4");
        assertEquals(AssemblyFacts.fromDataset(bare), AssemblyFacts.fromHeaders(headers("1.2.4", "-1", "")).orElseThrow());
    }

    @Test
    void thePositionAlongTheNormalAndTheSpacingTravelAsHeaders() {
        DicomObject ds = new DicomObject();
        ds.putString(Tag.SOPInstanceUID, VR.UI, "1.2.5");
        ds.putString(Tag.ImagePositionPatient, VR.DS, "-100", "-120", "42.5");
        ds.putString(Tag.ImageOrientationPatient, VR.DS, "1", "0", "0", "0", "1", "0");
        ds.putString(Tag.SliceThickness, VR.DS, "5");
        AssemblyFacts fromDataset = AssemblyFacts.fromDataset(ds);
        assertEquals(42.5, fromDataset.positionMm(), 1e-9);
        assertEquals(5.0, fromDataset.spacingMm(), 1e-9);
        RecordHeaders h = headers("1.2.5", "-1", "");
        h.add(InstanceHeaders.SLICE_POSITION_MM, "42.5".getBytes(StandardCharsets.UTF_8));
        h.add(InstanceHeaders.SLICE_SPACING_MM, "5.0".getBytes(StandardCharsets.UTF_8));
        assertEquals(fromDataset, AssemblyFacts.fromHeaders(h).orElseThrow());
        ds.putString(Tag.SpacingBetweenSlices, VR.DS, "4");
        assertEquals(4.0, AssemblyFacts.fromDataset(ds).spacingMm(), 1e-9, "SpacingBetweenSlices wins over SliceThickness");
    }

    @Test
    void aRecordWithoutTheFactsHasItsDatasetRead() {
        assertTrue(AssemblyFacts.fromHeaders(headers(null, null, null)).isEmpty());
        // an older ingest wrote the SOP Instance UID only
        assertTrue(AssemblyFacts.fromHeaders(headers("1.2.3", null, null)).isEmpty());
        assertTrue(AssemblyFacts.fromHeaders(headers("1.2.3", "x", "")).isEmpty());
    }
}
