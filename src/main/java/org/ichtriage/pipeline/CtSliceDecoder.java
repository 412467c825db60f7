package org.ichtriage.pipeline;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.volume.CtSlice;

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
                storedPixels(ds, rows, columns),
                pixelRepresentation == 1 ? 1 : 0,
                byteSize);
    }

    /** Null when the instance has no usable 16-bit single-sample pixel data (the assembler refuses it then). */
    private static short[] storedPixels(DicomObject ds, int rows, int columns) {
        byte[] px = ds.getBytes(Tag.PixelData);
        if (px == null || ds.getInt(Tag.BitsAllocated, 0) != 16 || ds.getInt(Tag.SamplesPerPixel, 1) != 1
                || px.length < 2L * rows * columns) {
            return null;
        }
        short[] out = new short[rows * columns];
        ByteBuffer.wrap(px).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out);
        return out;
    }
}
