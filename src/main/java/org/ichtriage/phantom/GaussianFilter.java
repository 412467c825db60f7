package org.ichtriage.phantom;

/**
 * Separable Gaussian smoothing with the conventions of scipy.ndimage.gaussian_filter, which the Python
 * generator uses: kernel radius int(4 sigma + 0.5), normalised sampled Gaussian, 'reflect' borders
 * (d c b a | a b c d | d c b a). Keeping them identical keeps the noise texture and edge blur the same.
 */
final class GaussianFilter {
    private GaussianFilter() {}

    static double[] kernel(double sigma) {
        int radius = (int) (4.0 * sigma + 0.5);
        double[] k = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) {
            k[i + radius] = Math.exp(-0.5 * i * i / (sigma * sigma));
            sum += k[i + radius];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        return k;
    }

    static int reflect(int i, int n) {
        int period = 2 * n;
        int j = ((i % period) + period) % period;
        return j < n ? j : period - 1 - j;
    }

    /** Filters `a` (row-major, shape dims) in place along one axis. */
    static void filterAxis(double[] a, int[] dims, int axis, double sigma) {
        double[] k = kernel(sigma);
        int radius = k.length / 2;
        int n = dims[axis];
        int stride = 1;
        for (int d = dims.length - 1; d > axis; d--) {
            stride *= dims[d];
        }
        int outer = a.length / (n * stride);
        double[] line = new double[n];
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < stride; in++) {
                int base = o * n * stride + in;
                for (int i = 0; i < n; i++) {
                    line[i] = a[base + i * stride];
                }
                for (int i = 0; i < n; i++) {
                    double acc = 0;
                    for (int t = -radius; t <= radius; t++) {
                        int j = i + t;
                        acc += k[t + radius] * line[j >= 0 && j < n ? j : reflect(j, n)];
                    }
                    a[base + i * stride] = acc;
                }
            }
        }
    }

    static void filter2d(double[] a, int rows, int cols, double sigma) {
        int[] dims = {rows, cols};
        filterAxis(a, dims, 0, sigma);
        filterAxis(a, dims, 1, sigma);
    }
}
