package org.ichtriage.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ichtriage.dicom.codec.DicomException;
import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.DicomParseException;
import org.ichtriage.dicom.codec.DicomReader;
import org.ichtriage.dicom.codec.Part10File;
import org.ichtriage.dicom.codec.Tag;

/**
 * A Part 10 file prepared for C-STORE: its identifiers and the dataset bytes exactly as stored in
 * the file, so that what is sent is what was read, without re-encoding.
 */
record Part10Input(Path path, String sopClassUid, String sopInstanceUid, String transferSyntaxUid,
                   byte[] bytes, int datasetOffset) {

    static Part10Input read(Path path, DicomLimits limits) throws IOException, DicomException {
        long size = Files.size(path);
        if (size > limits.maxTotalLength()) {
            throw new DicomParseException(0, 0, "file of " + size + " bytes exceeds the limit of " + limits.maxTotalLength());
        }
        byte[] b = Files.readAllBytes(path);
        Part10File pf = DicomReader.readPart10(b, limits);
        String cls = pf.dataset().getString(Tag.SOPClassUID);
        String inst = pf.dataset().getString(Tag.SOPInstanceUID);
        if (cls == null || inst == null) {
            throw new DicomParseException(cls == null ? Tag.SOPClassUID : Tag.SOPInstanceUID, 0, "missing SOP Class or Instance UID");
        }
        return new Part10Input(path, cls, inst, pf.transferSyntaxUid(), b, datasetOffset(b));
    }

    /** End of group 0002 (always Explicit VR LE), walked element by element; the reader has already validated it. */
    static int datasetOffset(byte[] b) throws DicomParseException {
        int p = b.length >= 132 && b[128] == 'D' && b[129] == 'I' && b[130] == 'C' && b[131] == 'M' ? 132
                : b.length >= 4 && b[0] == 'D' && b[1] == 'I' && b[2] == 'C' && b[3] == 'M' ? 4 : 0;
        while (p + 8 <= b.length && b[p] == 2 && b[p + 1] == 0) {
            String vr = new String(b, p + 4, 2, java.nio.charset.StandardCharsets.US_ASCII);
            long len;
            int hdr;
            if ("OB OW OF OD OL OV SQ UN UT UC UR SV UV".contains(vr)) {
                if (p + 12 > b.length) {
                    break;
                }
                len = (b[p + 8] & 0xFFL) | ((b[p + 9] & 0xFFL) << 8) | ((b[p + 10] & 0xFFL) << 16) | ((b[p + 11] & 0xFFL) << 24);
                hdr = 12;
            } else {
                len = (b[p + 6] & 0xFF) | ((b[p + 7] & 0xFF) << 8);
                hdr = 8;
            }
            if (len > b.length - p - hdr) {
                throw new DicomParseException(((b[p + 2] & 0xFF) | ((b[p + 3] & 0xFF) << 8)) | 0x00020000, p, "file meta element runs past the end");
            }
            p += hdr + (int) len;
        }
        return p;
    }

    int datasetLength() {
        return bytes.length - datasetOffset;
    }
}
