package org.ichtriage.dicom.codec;

/**
 * The declared size of one frame, read from the Image Pixel module: the bound that every decoder writes
 * within, so that a compressed stream can never make us allocate more than the header promised.
 */
public record FrameGeometry(int rows, int columns, int bitsAllocated, int bitsStored, int samplesPerPixel,
                            int planarConfiguration) {

    /** Bytes of one decoded frame in native little-endian layout. */
    public int frameBytes() {
        return (int) ((long) rows * columns * samplesPerPixel * (bitsAllocated / 8));
    }

    /**
     * The geometry a dataset declares, checked: rows and columns 1..65535, 8 or 16 bits allocated, bits stored
     * 1..allocated, 1 or 3 samples, and a frame within {@code maxFrameBytes}.
     */
    public static FrameGeometry of(DicomObject ds, long maxFrameBytes) throws PixelDataException {
        int rows = ds.getInt(Tag.Rows, 0);
        int columns = ds.getInt(Tag.Columns, 0);
        int bitsAllocated = ds.getInt(Tag.BitsAllocated, 0);
        int bitsStored = ds.getInt(Tag.BitsStored, bitsAllocated);
        int samples = ds.getInt(Tag.SamplesPerPixel, 1);
        int planar = ds.getInt(Tag.PlanarConfiguration, 0);
        if (rows < 1 || rows > 0xFFFF || columns < 1 || columns > 0xFFFF) {
            throw new PixelDataException(0, "Rows " + rows + " x Columns " + columns + " is not a decodable image size");
        }
        if (bitsAllocated != 8 && bitsAllocated != 16) {
            throw new PixelDataException(0, "Bits Allocated " + bitsAllocated + " (only 8 and 16 are decoded)");
        }
        if (bitsStored < 1 || bitsStored > bitsAllocated) {
            throw new PixelDataException(0, "Bits Stored " + bitsStored + " outside 1.." + bitsAllocated);
        }
        if (samples != 1 && samples != 3) {
            throw new PixelDataException(0, "Samples per Pixel " + samples + " (only 1 and 3 are decoded)");
        }
        long bytes = (long) rows * columns * samples * (bitsAllocated / 8);
        if (bytes > maxFrameBytes) {
            throw new PixelDataException(0, "a " + rows + "x" + columns + " frame of " + bytes
                    + " bytes exceeds the limit of " + maxFrameBytes);
        }
        return new FrameGeometry(rows, columns, bitsAllocated, bitsStored, samples, planar == 1 ? 1 : 0);
    }
}
