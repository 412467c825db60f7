package org.ichtriage.analysis;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.volume.CtSlice;
import org.ichtriage.volume.RefusalReason;

/** Reads the header facts and pixels of one CT image from a decoded dataset into the domain record. */
public final class CtSliceDecoder {
    private CtSliceDecoder() {}

    public static CtSlice decode(DicomObject ds, long byteSize) {
        int rows = ds.getInt(Tag.Rows, 0);
        int columns = ds.getInt(Tag.Columns, 0);
        int pixelRepresentation = ds.getInt(Tag.PixelRepresentation, 0);
        double[] slope = ds.getDoubles(Tag.RescaleSlope);
        double[] intercept = ds.getDoubles(Tag.RescaleIntercept);
        String[] imageType = ds.getStrings(Tag.ImageType);
        int acquisition = ds.getInt(Tag.AcquisitionNumber, Integer.MIN_VALUE);
        int expected = ds.getInt(Tag.ImagesInAcquisition, -1);
        CtSlice.PixelDataIssue issue = pixelDataIssue(ds, rows, columns);
        double[] thickness = ds.getDoubles(Tag.SliceThickness);
        return new CtSlice(
                ds.getString(Tag.SOPInstanceUID),
                ds.getString(Tag.SeriesInstanceUID),
                ds.getString(Tag.Modality),
                imageType == null ? List.of() : Arrays.asList(imageType),
                acquisition == Integer.MIN_VALUE ? null : acquisition,
                ds.getInt(Tag.InstanceNumber, 0),
                expected > 0 ? expected : null,
                rows, columns,
                ds.getDoubles(Tag.PixelSpacing),
                ds.getDoubles(Tag.ImagePositionPatient),
                ds.getDoubles(Tag.ImageOrientationPatient),
                slope == null || slope.length == 0 ? 1.0 : slope[0],
                intercept == null || intercept.length == 0 ? 0.0 : intercept[0],
                issue != null ? null : storedPixels(ds, rows, columns, pixelRepresentation == 1,
                        slope == null || slope.length == 0 ? 1.0 : slope[0],
                        intercept == null || intercept.length == 0 ? 0.0 : intercept[0]),
                pixelRepresentation == 1 ? 1 : 0,
                byteSize,
                thickness != null && thickness.length > 0 && thickness[0] > 0 && Double.isFinite(thickness[0]) ? thickness[0] : null,
                ds.getString(Tag.FrameOfReferenceUID),
                issue);
    }

    /** Why the pixel data cannot be read as one 16-bit sample per pixel; null when it can. */
    private static CtSlice.PixelDataIssue pixelDataIssue(DicomObject ds, int rows, int columns) {
        byte[] px = ds.getBytes(Tag.PixelData);
        if (px == null) {
            return new CtSlice.PixelDataIssue(RefusalReason.MISSING_PIXEL_DATA, "has no PixelData (7FE0,0010)");
        }
        int samples = ds.getInt(Tag.SamplesPerPixel, 1);
        if (samples != 1) {
            return new CtSlice.PixelDataIssue(RefusalReason.UNSUPPORTED_SAMPLES_PER_PIXEL,
                    "has SamplesPerPixel (0028,0002) " + samples + "; a CT image has 1");
        }
        int bits = ds.getInt(Tag.BitsAllocated, 0);
        if (bits != 16) {
            return new CtSlice.PixelDataIssue(RefusalReason.UNSUPPORTED_BITS_ALLOCATED,
                    "has BitsAllocated (0028,0100) " + bits + "; only 16 is supported");
        }
        long needed = 2L * rows * columns;
        if (px.length < needed) {
            return new CtSlice.PixelDataIssue(RefusalReason.TRUNCATED_PIXEL_DATA, "has PixelData (7FE0,0010) of " + px.length
                    + " bytes, " + rows + "x" + columns + " 16-bit pixels need " + needed);
        }
        return null;
    }

    /**
     * Only called once {@link #pixelDataIssue} found the pixel data usable. Bits above BitsStored (overlays, garbage) are masked off and signed values sign-extended from
     * BitsStored; PixelPaddingValue becomes air, so that padding never reads as tissue.
     */
    private static short[] storedPixels(DicomObject ds, int rows, int columns, boolean signed, double slope, double intercept) {
        byte[] px = ds.getBytes(Tag.PixelData);
        int bitsStored = Math.max(1, Math.min(16, ds.getInt(Tag.BitsStored, 16)));
        int mask = (1 << bitsStored) - 1;
        int signBit = 1 << (bitsStored - 1);
        boolean hasPadding = ds.contains(Tag.PixelPaddingValue);
        int padding = ds.getInt(Tag.PixelPaddingValue, 0);
        int air = (int) Math.round((-1000 - intercept) / (slope == 0 ? 1 : slope));
        air = signed ? Math.max(-(signBit), Math.min(signBit - 1, air)) : Math.max(0, Math.min(mask, air));
        short[] out = new short[rows * columns];
        ByteBuffer.wrap(px).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out);
        for (int i = 0; i < out.length; i++) {
            int raw = out[i] & 0xFFFF;
            int v = raw & mask;
            if (signed && (v & signBit) != 0) {
                v -= 1 << bitsStored;
            }
            if (hasPadding && (v == padding || raw == (padding & 0xFFFF))) {
                v = air;
            }
            out[i] = (short) v;
        }
        return out;
    }
}
