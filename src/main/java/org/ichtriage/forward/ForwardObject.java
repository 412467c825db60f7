package org.ichtriage.forward;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.ichtriage.dicom.codec.DicomException;
import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.DicomParseException;
import org.ichtriage.dicom.codec.DicomReader;
import org.ichtriage.dicom.codec.Part10File;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.events.OutputHeaders;

/**
 * One derived object to forward: its identifiers and where its dataset starts, sent as stored
 * without re-encoding. The worker names the identifiers in the record headers when it writes the
 * object; only a record without them (an older worker's) has its Part 10 file read.
 */
record ForwardObject(String sopClassUid, String sopInstanceUid, String transferSyntaxUid, byte[] bytes, int datasetOffset) {

    static ForwardObject of(ConsumerRecord<String, byte[]> r) throws DicomException {
        byte[] b = r.value();
        if (b == null) {
            throw new DicomParseException(0, 0, "record has no value");
        }
        String cls = header(r, OutputHeaders.SOP_CLASS_UID_HEADER);
        String inst = header(r, OutputHeaders.SOP_INSTANCE_UID_HEADER);
        String ts = header(r, OutputHeaders.TRANSFER_SYNTAX_UID_HEADER);
        if (cls != null && inst != null && ts != null) {
            return new ForwardObject(cls, inst, ts, b, DicomReader.datasetOffset(b));
        }
        return read(b);
    }

    /** Reads the identifiers from the object's File Meta Information. */
    static ForwardObject read(byte[] b) throws DicomException {
        Part10File pf = DicomReader.readPart10(b, DicomLimits.DEFAULT);
        String cls = pf.fileMeta().getString(Tag.MediaStorageSOPClassUID);
        String inst = pf.fileMeta().getString(Tag.MediaStorageSOPInstanceUID);
        if (cls == null || inst == null) {
            throw new DicomParseException(cls == null ? Tag.MediaStorageSOPClassUID : Tag.MediaStorageSOPInstanceUID, 0,
                    "file meta information lacks the SOP Class or Instance UID");
        }
        return new ForwardObject(cls, inst, pf.transferSyntaxUid(), b, DicomReader.datasetOffset(b));
    }

    int datasetLength() {
        return bytes.length - datasetOffset;
    }

    static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
