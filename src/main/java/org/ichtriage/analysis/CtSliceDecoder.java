package org.ichtriage.analysis;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.PixelData;
import org.ichtriage.dicom.codec.PixelDataException;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.dicom.seg.SourceImage;
import org.ichtriage.dicom.seg.SourceSeries;
import org.ichtriage.volume.CtSlice;
import org.ichtriage.volume.RefusalReason;

/**
 * Reads the header facts and pixels of one CT image from a decoded dataset into the domain record. Compressed
 * (RLE, JPEG Lossless) pixel data is decoded here, so that what travels on the topic stays as received.
 */
public final class CtSliceDecoder {
    private CtSliceDecoder() {}

    /**
     * One instance read once: the slice for the volume and the reference a derived object makes to it.
     *
     * @param source empty when the instance lacks what a reference needs (SOP Class UID, position, orientation,
     *               spacing); the assembler refuses such a slice for its geometry before any derived object is built
     * @param sourceProblem why {@code source} is empty, naming the tag; empty when it is present
     */
    public record DecodedImage(CtSlice slice, Optional<SourceImage> source, Optional<String> sourceProblem) {}

    /**
     * Decodes the slice and its source-image reference from one dataset.
     *
     * @throws PixelDataException when compressed pixel data cannot be decoded within the declared frame
     */
    public static DecodedImage decodeWithSource(DicomObject ds, long byteSize) throws PixelDataException {
        CtSlice slice = decode(ds, byteSize);
        try {
            return new DecodedImage(slice, Optional.of(SourceSeries.imageOf(ds)), Optional.empty());
        } catch (IllegalArgumentException e) {
            return new DecodedImage(slice, Optional.empty(), Optional.of(e.getMessage()));
        }
    }

    /** @throws PixelDataException when compressed pixel data cannot be decoded within the declared frame */
    public static CtSlice decode(DicomObject ds, long byteSize) throws PixelDataException {
        int rows = ds.getInt(Tag.Rows, 0);
        int columns = ds.getInt(Tag.Columns, 0);
        int pixelRepresentation = ds.getInt(Tag.PixelRepresentation, 0);
        double[] slope = ds.getDoubles(Tag.RescaleSlope);
        double[] intercept = ds.getDoubles(Tag.RescaleIntercept);
        String[] imageType = ds.getStrings(Tag.ImageType);
        int acquisition = ds.getInt(Tag.AcquisitionNumber, Integer.MIN_VALUE);
        int expected = ds.getInt(Tag.ImagesInAcquisition, -1);
        double slopeValue = slope == null || slope.length == 0 ? 1.0 : slope[0];
        double interceptValue = intercept == null || intercept.length == 0 ? 0.0 : intercept[0];
        CtSlice.PixelDataIssue issue = encodingIssue(ds);
        short[] pixels = null;
        if (issue == null) {
            byte[] px = PixelData.frame(ds, 0, DicomLimits.DEFAULT);
            long needed = 2L * rows * columns;
            if (px == null) {
                issue = new CtSlice.PixelDataIssue(RefusalReason.MISSING_PIXEL_DATA, "has no PixelData (7FE0,0010)");
            } else if (px.length < needed) {
                issue = new CtSlice.PixelDataIssue(RefusalReason.TRUNCATED_PIXEL_DATA, "has PixelData (7FE0,0010) of "
                        + px.length + " bytes, " + rows + "x" + columns + " 16-bit pixels need " + needed);
            } else {
                pixels = storedPixels(ds, px, rows, columns, pixelRepresentation == 1, slopeValue, interceptValue);
            }
        }
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
                slopeValue,
                interceptValue,
                pixels,
                pixelRepresentation == 1 ? 1 : 0,
                byteSize,
                thickness != null && thickness.length > 0 && thickness[0] > 0 && Double.isFinite(thickness[0]) ? thickness[0] : null,
                ds.getString(Tag.FrameOfReferenceUID),
                issue);
    }

    /**
     * Why the pixel data cannot be one 16-bit sample per pixel, from the header alone (before anything is
     * decompressed); null when it can be.
     */
    private static CtSlice.PixelDataIssue encodingIssue(DicomObject ds) {
        if (ds.get(Tag.PixelData) == null || ds.get(Tag.PixelData).value() == null) {
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
        return null;
    }

    /**
     * {@code px} is the first frame, native little-endian, at least rows x columns x 2 bytes. Bits above
     * BitsStored (overlays, garbage) are masked off and signed values sign-extended from BitsStored;
     * PixelPaddingValue becomes air, so that padding never reads as tissue.
     */
    private static short[] storedPixels(DicomObject ds, byte[] px, int rows, int columns, boolean signed, double slope,
                                        double intercept) {
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
