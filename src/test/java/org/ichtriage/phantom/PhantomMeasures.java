package org.ichtriage.phantom;

import java.util.ArrayList;
import java.util.List;

/**
 * Measurements shared by the phantom tests, with the definitions of src/test/python/phantom_stats.py so
 * Java numbers can be compared with the Python ones recorded in docs/phantom.md.
 */
final class PhantomMeasures {
    private PhantomMeasures() {}

    record MeanStd(double mean, double std, long n) {}

    /** scipy.ndimage.binary_erosion with the 4-connected cross and border value 0. */
    static boolean[] erode4(boolean[] in, int rows, int cols, int iterations) {
        boolean[] cur = in.clone();
        for (int it = 0; it < iterations; it++) {
            boolean[] next = new boolean[cur.length];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    int i = r * cols + c;
                    next[i] = cur[i] && r > 0 && r < rows - 1 && c > 0 && c < cols - 1
                            && cur[i - 1] && cur[i + 1] && cur[i - cols] && cur[i + cols];
                }
            }
            cur = next;
        }
        return cur;
    }

    interface VoxelTest {
        boolean test(short classesPresent, byte lesionSubsamples);
    }

    /** Mean and population std of the final HU over voxels of a class, eroded 2 px in plane. */
    static MeanStd classStats(Phantom ph, HeadPhantom.Trace tr, VoxelTest t) {
        int rows = ph.rows(), cols = ph.columns();
        double sum = 0, sum2 = 0;
        long n = 0;
        for (int s = 0; s < ph.huSlices().size(); s++) {
            short[] pc = tr.classesPresent().get(s);
            byte[] ls = tr.lesionSubsamples().get(s);
            boolean[] m = new boolean[rows * cols];
            for (int i = 0; i < m.length; i++) {
                m[i] = t.test(pc[i], ls[i]);
            }
            boolean[] e = erode4(m, rows, cols, 2);
            short[] hu = ph.huSlices().get(s);
            for (int i = 0; i < e.length; i++) {
                if (e[i]) {
                    sum += hu[i];
                    sum2 += (double) hu[i] * hu[i];
                    n++;
                }
            }
        }
        if (n == 0) {
            return new MeanStd(Double.NaN, Double.NaN, 0);
        }
        double mean = sum / n;
        return new MeanStd(mean, Math.sqrt(Math.max(0, sum2 / n - mean * mean)), n);
    }

    /**
     * The intracranial mask rule of docs/preprocessing.md step 2, written independently of the service:
     * largest 4-connected component of -15 <= HU <= 130 (ties: first in row-major order), holes filled,
     * empty below 0.5 % of the slice.
     */
    static boolean[] intracranialMask(short[] hu, int rows, int cols) {
        int n = rows * cols;
        int[] comp = new int[n];
        int[] stack = new int[n];
        int best = 0, bestSize = 0, label = 0;
        for (int start = 0; start < n; start++) {
            if (comp[start] != 0 || !candidate(hu[start])) {
                continue;
            }
            label++;
            int size = flood(start, label, comp, stack, rows, cols, i -> candidate(hu[i]));
            if (size > bestSize) {
                bestSize = size;
                best = label;
            }
        }
        boolean[] mask = new boolean[n];
        if (best == 0 || bestSize < 0.005 * n) {
            return mask;
        }
        int keep = best;
        // non-kept pixels that reach the border through non-kept pixels are outside; the rest are holes
        int[] outside = new int[n];
        for (int i = 0; i < n; i++) {
            int r = i / cols, c = i % cols;
            boolean border = r == 0 || c == 0 || r == rows - 1 || c == cols - 1;
            if (border && comp[i] != keep && outside[i] == 0) {
                flood(i, 1, outside, stack, rows, cols, j -> comp[j] != keep);
            }
        }
        for (int i = 0; i < n; i++) {
            mask[i] = comp[i] == keep || outside[i] == 0;
        }
        return mask;
    }

    private static boolean candidate(short v) {
        return v >= -15 && v <= 130;
    }

    interface Member {
        boolean in(int i);
    }

    private static int flood(int start, int label, int[] comp, int[] stack, int rows, int cols, Member member) {
        int top = 0, size = 0;
        stack[top++] = start;
        comp[start] = label;
        while (top > 0) {
            int i = stack[--top];
            size++;
            int r = i / cols, c = i % cols;
            int[] nb = {r > 0 ? i - cols : -1, r < rows - 1 ? i + cols : -1, c > 0 ? i - 1 : -1, c < cols - 1 ? i + 1 : -1};
            for (int j : nb) {
                if (j >= 0 && comp[j] == 0 && member.in(j)) {
                    comp[j] = label;
                    stack[top++] = j;
                }
            }
        }
        return size;
    }

    /** Fraction of all pixels inside the intracranial mask, and slices whose mask is mostly not intracranial. */
    record MaskSummary(double icfrac, int scalpSlices, List<Integer> scalpSliceIndices) {}

    static MaskSummary maskSummary(Phantom ph, HeadPhantom.Trace tr) {
        int rows = ph.rows(), cols = ph.columns();
        long in = 0, all = 0;
        List<Integer> bad = new ArrayList<>();
        for (int s = 0; s < ph.huSlices().size(); s++) {
            boolean[] m = intracranialMask(ph.huSlices().get(s), rows, cols);
            boolean[] ic = tr.intracranial().get(s);
            long k = 0, both = 0;
            for (int i = 0; i < m.length; i++) {
                if (m[i]) {
                    k++;
                    if (ic[i]) {
                        both++;
                    }
                }
            }
            in += k;
            all += m.length;
            if (k > 0 && both < 0.9 * k) {
                bad.add(s);
            }
        }
        return new MaskSummary((double) in / all, bad.size(), bad);
    }

    /** All three subsamples belong to one of the classes (phantom_stats.py: mask over subsamples, then all). */
    static boolean only(short present, int... classes) {
        int allowed = 0;
        for (int c : classes) {
            allowed |= 1 << c;
        }
        return (present & ~allowed) == 0;
    }

    static long count(boolean[] m) {
        long n = 0;
        for (boolean b : m) {
            if (b) {
                n++;
            }
        }
        return n;
    }
}
