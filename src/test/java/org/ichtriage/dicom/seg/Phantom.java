package org.ichtriage.dicom.seg;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.dicom.codec.Uids;
import org.ichtriage.dicom.codec.VR;

/** A synthetic head CT series built with our codec: skull, brain, ventricles and a hyperdense blob on 4 slices. */
final class Phantom {
    static final int SLICES = 12;
    static final int SIZE = 128;
    static final int FIRST_LESION_SLICE = 5;
    static final int LESION_SLICES = 4;

    final List<DicomObject> datasets = new ArrayList<>();
    final List<short[]> hu = new ArrayList<>();
    final List<boolean[]> masks = new ArrayList<>();

    Phantom() {
        String study = Uids.newUid();
        String series = Uids.newUid();
        String frame = Uids.newUid();
        for (int z = 0; z < SLICES; z++) {
            short[] px = new short[SIZE * SIZE];
            boolean[] mask = new boolean[SIZE * SIZE];
            int dz = z - (FIRST_LESION_SLICE + 1);
            // Radius 14, 17, 17, 14 pixels on slices 5..8: a blob that grows and shrinks like a real bleed.
            double lesionR = z >= FIRST_LESION_SLICE && z < FIRST_LESION_SLICE + LESION_SLICES
                    ? 17 - 3 * Math.abs(dz - 0.5) + 1.5 : 0;
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    double ex = (x - 64) / 52.0;
                    double ey = (y - 64) / 60.0;
                    double r = Math.sqrt(ex * ex + ey * ey);
                    int v = -1000;
                    if (r < 1.0) {
                        v = r > 0.9 ? 1200 : 32;
                        double vx = (x - 64) / 6.0;
                        double vy = (y - 60) / 14.0;
                        if (vx * vx + vy * vy < 1 && r <= 0.9) {
                            v = 8;
                        }
                    }
                    double lx = x - 88;
                    double ly = y - 54;
                    if (lesionR > 0 && lx * lx + ly * ly * 1.4 < lesionR * lesionR) {
                        v = 68;
                        mask[y * SIZE + x] = true;
                    }
                    px[y * SIZE + x] = (short) v;
                }
            }
            hu.add(px);
            masks.add(mask);
            datasets.add(dataset(study, series, frame, z, px));
        }
    }

    private static DicomObject dataset(String study, String series, String frame, int z, short[] px) {
        DicomObject ds = new DicomObject();
        ds.putString(Tag.SpecificCharacterSet, VR.CS, "ISO_IR 100");
        ds.putString(Tag.ImageType, VR.CS, "ORIGINAL", "PRIMARY", "AXIAL");
        ds.putString(Tag.SOPClassUID, VR.UI, "1.2.840.10008.5.1.4.1.1.2");
        ds.putString(Tag.SOPInstanceUID, VR.UI, Uids.newUid());
        ds.putString(Tag.StudyDate, VR.DA, "20260101");
        ds.putString(Tag.StudyTime, VR.TM, "120000");
        ds.putString(Tag.AccessionNumber, VR.SH, "PHANTOM1");
        ds.putString(Tag.Modality, VR.CS, "CT");
        ds.putString(Tag.Manufacturer, VR.LO, "phantom");
        ds.putString(Tag.ReferringPhysicianName, VR.PN, "");
        ds.putString(Tag.PatientName, VR.PN, "Phantom^Müller");
        ds.putString(Tag.PatientID, VR.LO, "PH-0001");
        ds.putString(Tag.PatientBirthDate, VR.DA, "19700101");
        ds.putString(Tag.PatientSex, VR.CS, "O");
        ds.putDoubles(Tag.SliceThickness, VR.DS, 5.0);
        ds.putString(Tag.StudyInstanceUID, VR.UI, study);
        ds.putString(Tag.SeriesInstanceUID, VR.UI, series);
        ds.putString(Tag.StudyID, VR.SH, "1");
        ds.putInts(Tag.SeriesNumber, VR.IS, 2);
        ds.putInts(Tag.InstanceNumber, VR.IS, z + 1);
        ds.putDoubles(Tag.ImagePositionPatient, VR.DS, -95.0, -95.0, 5.0 * z);
        ds.putDoubles(Tag.ImageOrientationPatient, VR.DS, 1, 0, 0, 0, 1, 0);
        ds.putString(Tag.FrameOfReferenceUID, VR.UI, frame);
        ds.putString(Tag.PositionReferenceIndicator, VR.LO, "");
        ds.putInts(Tag.SamplesPerPixel, VR.US, 1);
        ds.putString(Tag.PhotometricInterpretation, VR.CS, "MONOCHROME2");
        ds.putInts(Tag.Rows, VR.US, SIZE);
        ds.putInts(Tag.Columns, VR.US, SIZE);
        ds.putDoubles(Tag.PixelSpacing, VR.DS, 1.5, 1.5);
        ds.putInts(Tag.BitsAllocated, VR.US, 16);
        ds.putInts(Tag.BitsStored, VR.US, 16);
        ds.putInts(Tag.HighBit, VR.US, 15);
        ds.putInts(Tag.PixelRepresentation, VR.US, 1);
        ds.putDoubles(Tag.RescaleIntercept, VR.DS, 0);
        ds.putDoubles(Tag.RescaleSlope, VR.DS, 1);
        ByteBuffer bb = ByteBuffer.allocate(px.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : px) {
            bb.putShort(s);
        }
        ds.putRaw(Tag.PixelData, VR.OW, bb.array());
        return ds;
    }
}
