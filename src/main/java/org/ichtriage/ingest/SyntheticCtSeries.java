package org.ichtriage.ingest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.DicomWriter;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.dicom.codec.Uids;
import org.ichtriage.dicom.codec.VR;

/**
 * Writes a synthetic axial CT series (a water cylinder in air, with noise) as Part 10 files, for
 * interoperability tests and the ingest benchmark. Contains no patient data.
 */
public final class SyntheticCtSeries {
    private SyntheticCtSeries() {
    }

    public static final String CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2";

    public static List<Path> write(Path dir, int slices, int size, String transferSyntaxUid, long seed) throws IOException {
        Files.createDirectories(dir);
        Random rnd = new Random(seed);
        String study = Uids.newUid();
        String series = Uids.newUid();
        String frame = Uids.newUid();
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < slices; i++) {
            String inst = Uids.newUid();
            DicomObject ds = slice(study, series, frame, inst, i, slices, size, rnd);
            Path f = dir.resolve(String.format("slice%04d.dcm", i));
            Files.write(f, DicomWriter.writePart10(ds, CT_IMAGE_STORAGE, inst, transferSyntaxUid));
            out.add(f);
        }
        return out;
    }

    static DicomObject slice(String study, String series, String frame, String inst, int i, int n, int size, Random rnd) {
        DicomObject ds = new DicomObject();
        ds.putString(Tag.SOPClassUID, VR.UI, CT_IMAGE_STORAGE);
        ds.putString(Tag.SOPInstanceUID, VR.UI, inst);
        ds.putString(Tag.Modality, VR.CS, "CT");
        ds.putString(Tag.PatientName, VR.PN, "SYNTHETIC^PHANTOM");
        ds.putString(Tag.StudyInstanceUID, VR.UI, study);
        ds.putString(Tag.SeriesInstanceUID, VR.UI, series);
        ds.putString(Tag.FrameOfReferenceUID, VR.UI, frame);
        ds.putInts(Tag.InstanceNumber, VR.IS, i + 1);
        ds.putDoubles(Tag.ImagePositionPatient, VR.DS, -125.0, -125.0, i * 5.0);
        ds.putDoubles(Tag.ImageOrientationPatient, VR.DS, 1, 0, 0, 0, 1, 0);
        ds.putDoubles(Tag.SliceThickness, VR.DS, 5.0);
        ds.putDoubles(Tag.PixelSpacing, VR.DS, 250.0 / size, 250.0 / size);
        ds.putInts(Tag.SamplesPerPixel, VR.US, 1);
        ds.putString(Tag.PhotometricInterpretation, VR.CS, "MONOCHROME2");
        ds.putInts(Tag.Rows, VR.US, size);
        ds.putInts(Tag.Columns, VR.US, size);
        ds.putInts(Tag.BitsAllocated, VR.US, 16);
        ds.putInts(Tag.BitsStored, VR.US, 16);
        ds.putInts(Tag.HighBit, VR.US, 15);
        ds.putInts(Tag.PixelRepresentation, VR.US, 1);
        ds.putDoubles(Tag.RescaleIntercept, VR.DS, 0);
        ds.putDoubles(Tag.RescaleSlope, VR.DS, 1);
        ByteBuffer px = ByteBuffer.allocate(size * size * 2).order(ByteOrder.LITTLE_ENDIAN);
        double r = size * 0.4;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double d = Math.hypot(x - size / 2.0, y - size / 2.0);
                int hu = d < r ? 30 : -1000;
                px.putShort((short) (hu + (int) (rnd.nextGaussian() * 5)));
            }
        }
        ds.putRaw(Tag.PixelData, VR.OW, px.array());
        return ds;
    }
}
