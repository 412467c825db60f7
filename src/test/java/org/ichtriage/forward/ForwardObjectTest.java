package org.ichtriage.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.ichtriage.dicom.codec.DicomException;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.DicomWriter;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.dicom.codec.TransferSyntax;
import org.ichtriage.dicom.codec.VR;
import org.ichtriage.events.OutputHeaders;
import org.junit.jupiter.api.Test;

class ForwardObjectTest {
    private static final String SEG_CLASS = "1.2.840.10008.5.1.4.1.1.66.4";

    private static byte[] part10() throws DicomException {
        DicomObject ds = new DicomObject();
        ds.putString(Tag.SOPClassUID, VR.UI, SEG_CLASS);
        ds.putString(Tag.SOPInstanceUID, VR.UI, "1.2.3.4");
        return DicomWriter.writePart10(ds, SEG_CLASS, "1.2.3.4", TransferSyntax.EXPLICIT_VR_LE);
    }

    @Test
    void theHeadersNameWhatTheFileMetaHolds() throws Exception {
        byte[] b = part10();
        ConsumerRecord<String, byte[]> r = new ConsumerRecord<>("ich.seg.v1", 0, 7L, "1.2", b);
        r.headers().add(OutputHeaders.SOP_CLASS_UID_HEADER, SEG_CLASS.getBytes(StandardCharsets.UTF_8));
        r.headers().add(OutputHeaders.SOP_INSTANCE_UID_HEADER, "1.2.3.4".getBytes(StandardCharsets.UTF_8));
        r.headers().add(OutputHeaders.TRANSFER_SYNTAX_UID_HEADER, TransferSyntax.EXPLICIT_VR_LE.getBytes(StandardCharsets.UTF_8));
        ForwardObject fromHeaders = ForwardObject.of(r);
        ForwardObject fromFile = ForwardObject.read(b);
        assertEquals(fromFile.sopClassUid(), fromHeaders.sopClassUid());
        assertEquals(fromFile.sopInstanceUid(), fromHeaders.sopInstanceUid());
        assertEquals(fromFile.transferSyntaxUid(), fromHeaders.transferSyntaxUid());
        assertEquals(fromFile.datasetOffset(), fromHeaders.datasetOffset());
        assertArrayEquals(b, fromHeaders.bytes());
    }

    @Test
    void aRecordWithoutHeadersIsRead() throws Exception {
        ForwardObject o = ForwardObject.of(new ConsumerRecord<>("ich.seg.v1", 0, 7L, "1.2", part10()));
        assertEquals("1.2.3.4", o.sopInstanceUid());
        assertEquals(SEG_CLASS, o.sopClassUid());
        assertThrows(DicomException.class, () -> ForwardObject.of(new ConsumerRecord<>("ich.seg.v1", 0, 8L, "1.2", (byte[]) null)));
    }
}
