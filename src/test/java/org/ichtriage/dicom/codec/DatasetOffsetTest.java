package org.ichtriage.dicom.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class DatasetOffsetTest {
    @Test
    void datasetStartsRightAfterTheFileMetaGroup() throws Exception {
        DicomObject ds = new DicomObject();
        ds.putString(Tag.SOPClassUID, VR.UI, "1.2.840.10008.5.1.4.1.1.2");
        ds.putString(Tag.SOPInstanceUID, VR.UI, "1.2.3.4");
        ds.putString(Tag.PatientID, VR.LO, "X");
        for (String ts : new String[] {TransferSyntax.EXPLICIT_VR_LE, TransferSyntax.IMPLICIT_VR_LE}) {
            byte[] part10 = DicomWriter.writePart10(ds, "1.2.840.10008.5.1.4.1.1.2", "1.2.3.4", ts);
            int offset = DicomReader.datasetOffset(part10);
            assertEquals(DicomWriter.fileMetaHeader("1.2.840.10008.5.1.4.1.1.2", "1.2.3.4", ts, null).length, offset);
            assertArrayEquals(DicomWriter.writeDataset(ds, ts), Arrays.copyOfRange(part10, offset, part10.length));
        }
    }

    @Test
    void metaElementRunningPastTheEndIsATypedError() {
        byte[] part10 = DicomWriter.writePart10(new DicomObject(), "1.2", "1.2.3", TransferSyntax.EXPLICIT_VR_LE);
        byte[] cut = Arrays.copyOf(part10, 150);
        DicomParseException e = assertThrows(DicomParseException.class, () -> DicomReader.datasetOffset(cut));
        assertEquals(0x0002, e.tag() >>> 16);
    }
}
