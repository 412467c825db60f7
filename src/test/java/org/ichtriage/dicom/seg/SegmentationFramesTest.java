package org.ichtriage.dicom.seg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.DicomReader;
import org.ichtriage.dicom.codec.Tag;
import org.junit.jupiter.api.Test;

class SegmentationFramesTest {
    @Test
    void framesOfOurSegComeBackUnderTheirSourceImages() throws Exception {
        Phantom ph = new Phantom();
        SourceSeries src = SourceSeries.fromDatasets(ph.datasets);
        BuiltObject seg = SegmentationBuilder.build(SegmentationBuilderTest.describe(src, ph.masks));
        SegmentationFrames frames = SegmentationFrames.read(DicomReader.readPart10(seg.part10(), DicomLimits.DEFAULT).dataset());
        assertEquals(Phantom.SIZE, frames.rows());
        assertEquals(Phantom.LESION_SLICES, frames.sourceSopInstanceUids().size());
        for (int z = 0; z < Phantom.SLICES; z++) {
            String sop = ph.datasets.get(z).getString(Tag.SOPInstanceUID);
            boolean lesion = z >= Phantom.FIRST_LESION_SLICE && z < Phantom.FIRST_LESION_SLICE + Phantom.LESION_SLICES;
            assertEquals(lesion, frames.maskFor(sop).isPresent(), "slice " + z);
            if (lesion) {
                assertArrayEquals(ph.masks.get(z), frames.maskFor(sop).orElseThrow(), "slice " + z);
            }
        }
    }

    @Test
    void aNonBinarySegIsRefusedNamingTheAttribute() {
        DicomObject ds = new DicomObject().putInts(Tag.Rows, org.ichtriage.dicom.codec.VR.US, 4)
                .putInts(Tag.Columns, org.ichtriage.dicom.codec.VR.US, 4)
                .putString(Tag.NumberOfFrames, org.ichtriage.dicom.codec.VR.IS, "1")
                .putInts(Tag.BitsAllocated, org.ichtriage.dicom.codec.VR.US, 8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SegmentationFrames.read(ds));
        assertTrue(e.getMessage().contains("BitsAllocated (0028,0100)"), e.getMessage());
    }
}
