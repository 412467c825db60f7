package org.ichtriage.dicom.seg;

/** A packed 8-bit RGB raster, row-major, three bytes per pixel: the layout of both DICOM RGB and PNG truecolour. */
public record RgbImage(int width, int height, byte[] rgb) {
    public RgbImage {
        if (width <= 0 || height <= 0 || rgb == null || rgb.length != width * height * 3) {
            throw new IllegalArgumentException("RGB raster " + width + "x" + height + " needs " + width * height * 3
                    + " bytes, has " + (rgb == null ? 0 : rgb.length));
        }
    }

    public static RgbImage blank(int width, int height) {
        return new RgbImage(width, height, new byte[width * height * 3]);
    }

    void set(int x, int y, int r, int g, int b) {
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
