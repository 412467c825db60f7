package org.ichtriage.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.DicomWriter;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.dicom.codec.TransferSyntax;
import org.ichtriage.dicom.codec.Uids;
import org.ichtriage.dicom.codec.VR;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {
    static final String SEG_STORAGE = "1.2.840.10008.5.1.4.1.1.66.4";

    @TempDir
    Path tmp;

    @Test
    void aSegFileIsDescribedByWhatItHolds() throws Exception {
        DicomObject ds = new DicomObject();
        String sop = Uids.newUid();
        ds.putString(Tag.SOPClassUID, VR.UI, SEG_STORAGE);
        ds.putString(Tag.SOPInstanceUID, VR.UI, sop);
        ds.putString(Tag.Modality, VR.CS, "SEG");
        ds.putInts(Tag.SamplesPerPixel, VR.US, 1);
        ds.putInts(Tag.Rows, VR.US, 512);
        ds.putInts(Tag.Columns, VR.US, 512);
        ds.putString(Tag.NumberOfFrames, VR.IS, "7");
        Path seg = tmp.resolve("seg.dcm");
        Files.write(seg, DicomWriter.writePart10(ds, SEG_STORAGE, sop, TransferSyntax.EXPLICIT_VR_LE));

        CliHelpTest.Run r = CliHelpTest.run("inspect", seg.toString(), "--out", tmp.resolve("png").toString());
        assertEquals(2, r.rc(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        String found = "ich-triage: " + seg + " holds a Segmentation (SEG) object (SOP class " + SEG_STORAGE
                + ", Modality SEG, 7 frames of 512x512, SamplesPerPixel 1)";
        assertTrue(r.err().startsWith(found), r.err());
        // the values a key image needs are named as what inspect renders, after what was found
        assertTrue(r.err().indexOf("SamplesPerPixel 3") > r.err().indexOf("SamplesPerPixel 1"), r.err());
    }
}
