package org.ichtriage.dicom.seg;

import java.nio.ByteBuffer;

import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.Tag;

/** A packed 8-bit RGB raster, row-major, three bytes per pixel: the layout of both DICOM RGB and PNG truecolour. */
public record RgbImage(int width, int height, byte[] rgb) {
    public RgbImage {
        if (width <= 0 || height <= 0 || rgb == null || rgb.length != width * height * 3) {
            throw new IllegalArgumentException("RGB raster " + width + "x" + height + " needs " + width * height * 3
                    + " bytes, has " + (rgb == null ? 0 : rgb.length));
        }
    }

    /**
     * The raster of an interleaved RGB image dataset (a key image: SamplesPerPixel 3, PlanarConfiguration 0).
     *
     * @throws IllegalArgumentException naming the attribute that does not fit
     */
    public static RgbImage fromDataset(DicomObject ds) {
        int rows = ds.getInt(Tag.Rows, 0);
        int cols = ds.getInt(Tag.Columns, 0);
        if (ds.getInt(Tag.SamplesPerPixel, 1) != 3 || ds.getInt(Tag.PlanarConfiguration, 0) != 0) {
            throw new IllegalArgumentException("not an interleaved RGB image: SamplesPerPixel (0028,0002) must be 3 and "
                    + "PlanarConfiguration (0028,0006) 0");
        }
        ByteBuffer px = ds.getByteBuffer(Tag.PixelData);
        if (rows <= 0 || cols <= 0 || px == null || px.remaining() < rows * cols * 3) {
            throw new IllegalArgumentException("RGB image " + cols + "x" + rows + " has no complete PixelData (7FE0,0010)");
        }
        byte[] rgb = new byte[rows * cols * 3];
        px.get(rgb);
        return new RgbImage(cols, rows, rgb);
    }

    public static RgbImage blank(int width, int height) {
        return new RgbImage(width, height, new byte[width * height * 3]);
    }

    public void set(int x, int y, int r, int g, int b) {
        if (x < 0 || y < 0 || x >= width || y >= height) {
            return;
        }
        int i = (y * width + x) * 3;
        rgb[i] = (byte) r;
        rgb[i + 1] = (byte) g;
        rgb[i + 2] = (byte) b;
    }

    /** The pixel as 0xRRGGBB. */
    public int get(int x, int y) {
        int i = (y * width + x) * 3;
        return (rgb[i] & 0xFF) << 16 | (rgb[i + 1] & 0xFF) << 8 | (rgb[i + 2] & 0xFF);
    }
}
