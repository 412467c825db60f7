package org.ichtriage.inference;

/**
 * Bilinear resize with half-pixel centres, as PyTorch's interpolate(mode="bilinear",
 * align_corners=False, antialias=False) and docs/preprocessing.md step 4: source coordinate
 * {@code (dst + 0.5) * in / out - 0.5} clamped below at 0, upper neighbour clamped to in - 1.
 */
final class Bilinear {
    private final int inRows;
    private final int inCols;
    private final int outRows;
    private final int outCols;
    private final int[] y0;
    private final int[] y1;
    private final double[] wy;
    private final int[] x0;
    private final int[] x1;
    private final double[] wx;

    Bilinear(int inRows, int inCols, int outRows, int outCols) {
        this.inRows = inRows;
        this.inCols = inCols;
        this.outRows = outRows;
        this.outCols = outCols;
        y0 = new int[outRows];
        y1 = new int[outRows];
        wy = new double[outRows];
        axis(inRows, outRows, y0, y1, wy);
        x0 = new int[outCols];
        x1 = new int[outCols];
        wx = new double[outCols];
        axis(inCols, outCols, x0, x1, wx);
    }

    private static void axis(int in, int out, int[] lo, int[] hi, double[] w) {
        double scale = (double) in / out;
        for (int d = 0; d < out; d++) {
            double s = Math.max((d + 0.5) * scale - 0.5, 0.0);
            int f = (int) Math.floor(s);
            lo[d] = Math.min(f, in - 1);
            hi[d] = Math.min(f + 1, in - 1);
            w[d] = s - f;
        }
    }

    /** Resizes {@code src[srcOffset ..]} (inRows x inCols) into a new double array. */
    double[] apply(double[] src) {
        double[] out = new double[outRows * outCols];
        for (int r = 0; r < outRows; r++) {
            int a = y0[r] * inCols;
            int b = y1[r] * inCols;
            double fy = wy[r];
            int o = r * outCols;
            for (int c = 0; c < outCols; c++) {
                double fx = wx[c];
                double top = src[a + x0[c]] * (1 - fx) + src[a + x1[c]] * fx;
                double bottom = src[b + x0[c]] * (1 - fx) + src[b + x1[c]] * fx;
                out[o + c] = top * (1 - fy) + bottom * fy;
            }
        }
        return out;
    }

    /** Resizes a float plane starting at {@code offset} into doubles. */
    double[] apply(float[] src, int offset) {
        double[] out = new double[outRows * outCols];
        for (int r = 0; r < outRows; r++) {
            int a = offset + y0[r] * inCols;
            int b = offset + y1[r] * inCols;
            double fy = wy[r];
            int o = r * outCols;
            for (int c = 0; c < outCols; c++) {
                double fx = wx[c];
                double top = src[a + x0[c]] * (1 - fx) + src[a + x1[c]] * (double) fx;
                double bottom = src[b + x0[c]] * (1 - fx) + src[b + x1[c]] * (double) fx;
                out[o + c] = top * (1 - fy) + bottom * fy;
            }
        }
        return out;
    }

    int inRows() {
        return inRows;
    }

    int inCols() {
        return inCols;
    }
}
