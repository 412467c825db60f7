package org.ichtriage.phantom;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.DicomWriter;
import org.ichtriage.dicom.codec.TransferSyntax;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.dicom.codec.Uids;
import org.ichtriage.dicom.codec.VR;

/**
 * Writes a stack of HU slices as a CT Image Storage series (Part 10, Explicit VR Little Endian), as a
 * scanner would send it: axial, contiguous, signed 16-bit stored values with rescale intercept -1024.
 * Used by the demo, the tests and the benchmarks; the patient is always synthetic.
 */
public final class CtSeriesWriter {
    public static final String CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2";

    /** Identity of the synthetic study; nothing here refers to a real person. */
    public record StudyIdentity(String patientId, String patientName, String studyInstanceUid, String seriesInstanceUid,
                                String frameOfReferenceUid, String accessionNumber, LocalDateTime studyTime) {
        public static StudyIdentity random(String patientId) {
            return new StudyIdentity(patientId, "PHANTOM^" + patientId, Uids.newUid(), Uids.newUid(), Uids.newUid(),
                    "PH" + Long.toString(System.nanoTime() % 100_000_000L), LocalDateTime.now());
        }
    }

    /** One slice: HU values row-major, rows x columns. */
    public record HuSlice(short[] hu) {}

    private CtSeriesWriter() {}

    /**
     * @param pixelSpacingMm in-plane spacing (row, column)
     * @param sliceStepMm distance between slice positions along z
     */
    public static List<byte[]> write(StudyIdentity id, List<HuSlice> slices, int rows, int columns,
                                     double pixelSpacingMm, double sliceStepMm, boolean announceCount) {
        return write(id, slices, rows, columns, pixelSpacingMm, sliceStepMm, announceCount, TransferSyntax.EXPLICIT_VR_LE);
    }

    /** As above, in the given uncompressed transfer syntax (Implicit or Explicit VR Little Endian). */
    public static List<byte[]> write(StudyIdentity id, List<HuSlice> slices, int rows, int columns,
                                     double pixelSpacingMm, double sliceStepMm, boolean announceCount, String transferSyntaxUid) {
        List<byte[]> out = new ArrayList<>(slices.size());
        for (DicomObject ds : datasets(id, slices, rows, columns, pixelSpacingMm, sliceStepMm, announceCount)) {
            out.add(DicomWriter.writePart10(ds, CT_IMAGE_STORAGE, ds.getString(Tag.SOPInstanceUID), transferSyntaxUid));
        }
        return out;
    }

    /** The series' datasets, not encoded: for tests of what is built from a series' attributes. */
    public static List<DicomObject> datasets(StudyIdentity id, List<HuSlice> slices, int rows, int columns,
                                             double pixelSpacingMm, double sliceStepMm, boolean announceCount) {
        List<DicomObject> out = new ArrayList<>(slices.size());
        String date = id.studyTime().format(DateTimeFormatter.BASIC_ISO_DATE);
        String time = id.studyTime().format(DateTimeFormatter.ofPattern("HHmmss"));
        for (int i = 0; i < slices.size(); i++) {
            String sop = Uids.newUid();
            DicomObject ds = new DicomObject();
            ds.putString(Tag.SpecificCharacterSet, VR.CS, "ISO_IR 100");
            ds.putString(Tag.ImageType, VR.CS, "ORIGINAL", "PRIMARY", "AXIAL");
            ds.putString(Tag.SOPClassUID, VR.UI, CT_IMAGE_STORAGE);
            ds.putString(Tag.SOPInstanceUID, VR.UI, sop);
            ds.putString(Tag.StudyDate, VR.DA, date);
            ds.putString(Tag.StudyTime, VR.TM, time);
            ds.putString(Tag.AccessionNumber, VR.SH, id.accessionNumber());
            ds.putString(Tag.Modality, VR.CS, "CT");
            // what a scanner's head protocol sends, so that the board and study-level selection see real-looking text
            ds.putString(Tag.StudyDescription, VR.LO, "CT HEAD WITHOUT CONTRAST");
            ds.putString(Tag.SeriesDescription, VR.LO, "AXIAL " + fmt(sliceStepMm) + " MM SOFT TISSUE");
            ds.putString(Tag.Manufacturer, VR.LO, "ich-triage phantom");
            ds.putString(Tag.PatientName, VR.PN, id.patientName());
            ds.putString(Tag.PatientID, VR.LO, id.patientId());
            ds.putString(Tag.PatientBirthDate, VR.DA, "");
            ds.putString(Tag.PatientSex, VR.CS, "O");
            ds.putString(Tag.SliceThickness, VR.DS, fmt(sliceStepMm));
            ds.putString(Tag.StudyInstanceUID, VR.UI, id.studyInstanceUid());
            ds.putString(Tag.SeriesInstanceUID, VR.UI, id.seriesInstanceUid());
            ds.putString(Tag.StudyID, VR.SH, "1");
            ds.putString(Tag.SeriesNumber, VR.IS, "1");
            ds.putString(Tag.AcquisitionNumber, VR.IS, "1");
            ds.putString(Tag.InstanceNumber, VR.IS, Integer.toString(i + 1));
            ds.putString(Tag.ImagePositionPatient, VR.DS, fmt(-columns * pixelSpacingMm / 2), fmt(-rows * pixelSpacingMm / 2),
                    fmt(i * sliceStepMm));
            ds.putString(Tag.ImageOrientationPatient, VR.DS, "1", "0", "0", "0", "1", "0");
            ds.putString(Tag.FrameOfReferenceUID, VR.UI, id.frameOfReferenceUid());
            if (announceCount) {
                ds.putString(Tag.ImagesInAcquisition, VR.IS, Integer.toString(slices.size()));
            }
            ds.putInts(Tag.SamplesPerPixel, VR.US, 1);
            ds.putString(Tag.PhotometricInterpretation, VR.CS, "MONOCHROME2");
            ds.putInts(Tag.Rows, VR.US, rows);
            ds.putInts(Tag.Columns, VR.US, columns);
            ds.putString(Tag.PixelSpacing, VR.DS, fmt(pixelSpacingMm), fmt(pixelSpacingMm));
            ds.putInts(Tag.BitsAllocated, VR.US, 16);
            ds.putInts(Tag.BitsStored, VR.US, 16);
            ds.putInts(Tag.HighBit, VR.US, 15);
            ds.putInts(Tag.PixelRepresentation, VR.US, 1);
            ds.putString(Tag.WindowCenter, VR.DS, "40");
            ds.putString(Tag.WindowWidth, VR.DS, "80");
            ds.putString(Tag.RescaleIntercept, VR.DS, "-1024");
            ds.putString(Tag.RescaleSlope, VR.DS, "1");
            ds.putString(Tag.RescaleType, VR.LO, "HU");
            ByteBuffer px = ByteBuffer.allocate(rows * columns * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (short hu : slices.get(i).hu()) {
                px.putShort((short) (hu + 1024));
            }
            ds.putBytes(Tag.PixelData, VR.OW, px.array());
            out.add(ds);
        }
        return out;
    }

    private static String fmt(double v) {
        String s = String.format(java.util.Locale.ROOT, "%.6f", v);
        s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        return s.length() > 16 ? s.substring(0, 16) : s;
    }
}
