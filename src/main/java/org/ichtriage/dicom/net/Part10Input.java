package org.ichtriage.dicom.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ichtriage.dicom.codec.DicomException;
import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.DicomParseException;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.DicomReader;
import org.ichtriage.dicom.codec.DicomWriter;
import org.ichtriage.dicom.codec.Part10File;
import org.ichtriage.dicom.codec.PixelData;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.dicom.codec.TransferSyntax;

/**
 * A Part 10 file prepared for C-STORE: its identifiers and the dataset bytes exactly as stored in
 * the file, so that what is sent is what was read, without re-encoding.
 */
public record Part10Input(Path path, String sopClassUid, String sopInstanceUid, String transferSyntaxUid,
                   byte[] bytes, int datasetOffset) {

    public static Part10Input read(Path path, DicomLimits limits) throws IOException, DicomException {
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
        return new Part10Input(path, cls, inst, pf.transferSyntaxUid(), b, DicomReader.datasetOffset(b));
    }

    public int datasetLength() {
        return bytes.length - datasetOffset;
    }

    /** True when the file's pixel data is RLE or JPEG Lossless, which we can decompress for a peer that refuses it. */
    public boolean isDecodedCompressed() {
        return TransferSyntax.isDecodedCompressed(transferSyntaxUid);
    }

    /** The dataset with its pixel data decompressed, in Explicit VR Little Endian. */
    public byte[] decompressedDataset(DicomLimits limits) throws DicomException {
        DicomObject ds = DicomReader.readPart10(bytes, limits).dataset();
        PixelData.decompressInPlace(ds, limits);
        return DicomWriter.writeDataset(ds, TransferSyntax.EXPLICIT_VR_LE);
    }
}
