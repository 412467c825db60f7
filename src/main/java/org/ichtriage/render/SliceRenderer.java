package org.ichtriage.render;

import org.ichtriage.dicom.seg.RgbImage;
import org.ichtriage.volume.CtSlice;

/**
 * Draws one CT slice in a window with the segmentation's outline over it, for the triage board.
 * Only the outline is drawn (not a filled overlay) so that the density under the lesion stays readable.
 */
public final class SliceRenderer {
    /** Pure red: the one colour the greyscale slice can never contain, so a test (and a reader) can find the outline. */
    public static final int OUTLINE_RGB = 0xFF0000;

    private SliceRenderer() {}

    /**
     * @param mask the lesion mask over this slice (rows x columns, row-major), or null for none
     */
    public static RgbImage render(CtSlice slice, WindowPreset window, boolean[] mask) {
        int w = slice.columns();
        int h = slice.rows();
        if (mask != null && mask.length != w * h) {
            throw new IllegalArgumentException("mask has " + mask.length + " pixels, slice " + w + "x" + h + " has " + w * h);
        }
        RgbImage img = RgbImage.blank(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                if (mask != null && mask[i] && isEdge(mask, w, h, x, y)) {
                    img.set(x, y, OUTLINE_RGB >> 16 & 0xFF, OUTLINE_RGB >> 8 & 0xFF, OUTLINE_RGB & 0xFF);
                } else {
                    int g = window.grey(slice.hu(i));
                    img.set(x, y, g, g, g);
                }
            }
        }
        return img;
    }

    /** A lesion pixel with a 4-neighbour outside the lesion (or at the image border). */
    static boolean isEdge(boolean[] mask, int w, int h, int x, int y) {
        return x == 0 || y == 0 || x == w - 1 || y == h - 1
                || !mask[y * w + x - 1] || !mask[y * w + x + 1] || !mask[(y - 1) * w + x] || !mask[(y + 1) * w + x];
    }
}
