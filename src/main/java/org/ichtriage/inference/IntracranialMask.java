package org.ichtriage.inference;

import java.util.Arrays;

/**
 * Intracranial mask v2 of docs/preprocessing.md: the cavity the skull encloses, continuous in 3D.
 *
 * <p>Per slice, the candidates (-15..130 HU) that the closed bone ring separates from the image
 * border; the seed is the largest enclosed component of the slice with the most enclosed
 * candidates; from there, slice by slice in both directions, a component is kept when at least
 * 10 % of it lies on the kept mask of the neighbour towards the seed. Neck and face soft tissue is
 * never enclosed by a bone ring, which is where the per-slice v1 mask put its false positives.
 *
 * <p>Every step is integer arithmetic on pixel sets, so this class and
 * {@code training/ichtrain/preprocess.py} give the same mask bit for bit (golden vectors).
 */
public final class IntracranialMask {
    static final double BONE_HU = 250;
    static final double BONE_CLOSE_MM = 4.0;
    static final double MIN_SLICE_COMPONENT_FRACTION = 0.002;
    static final double MIN_LINK_OVERLAP = 0.1;

    private IntracranialMask() {
    }

    /** Closing radius in pixels for a pixel spacing in mm (at least 1). */
    static int closeRadiusPx(double pixelSpacingMm) {
        return Math.max(1, (int) Math.floor(BONE_CLOSE_MM / pixelSpacingMm + 0.5));
    }

    /**
     * @param hu             [slice][row-major pixel] in slice order along the normal
     * @param pixelSpacingMm the row spacing (PixelSpacing[0])
     * @return [slice][pixel] mask
     */
    public static boolean[][] of(double[][] hu, int rows, int cols, double pixelSpacingMm) {
        int n = hu.length;
        int plane = rows * cols;
        boolean[][] mask = new boolean[n][plane];
        if (n == 0) return mask;
        // A windowed (8-bit) export clips bone to the top of its window and air to the bottom:
        // then the volume's highest value stands for bone and its lowest value is no candidate.
        double top = Double.NEGATIVE_INFINITY;
        double bottom = Double.POSITIVE_INFINITY;
        for (double[] s : hu) {
            for (double v : s) {
                if (v > top) top = v;
                if (v < bottom) bottom = v;
            }
        }
        boolean clipped = top < BONE_HU;
        double boneHu = clipped ? top : BONE_HU;
        int r = closeRadiusPx(pixelSpacingMm);
        double minPx = MIN_SLICE_COMPONENT_FRACTION * rows * cols;
        int[][] labels = new int[n][];
        int[][] sizes = new int[n][];
        long[] totals = new long[n];
        int[] queue = new int[plane];
        for (int s = 0; s < n; s++) {
            boolean[] cand = enclosedCandidates(hu[s], rows, cols, r, boneHu, clipped, bottom, queue);
            int[] label = new int[plane];
            int[] size = new int[16];
            int next = 0;
            for (int i = 0; i < plane; i++) {
                if (!cand[i] || label[i] != 0) continue;
                int id = ++next;
                if (id >= size.length) size = Arrays.copyOf(size, size.length * 2);
                size[id] = Preprocessor.flood(cand, true, label, id, i, rows, cols, queue);
            }
            labels[s] = label;
            sizes[s] = Arrays.copyOf(size, next + 1);
            for (int k = 1; k <= next; k++) if (sizes[s][k] >= minPx) totals[s] += sizes[s][k];
        }
        int seed = 0;
        for (int s = 1; s < n; s++) if (totals[s] > totals[seed]) seed = s;
        if (totals[seed] < Preprocessor.MIN_COMPONENT_FRACTION * rows * cols) return mask;
        int best = 0;
        for (int k = 1; k < sizes[seed].length; k++) if (sizes[seed][k] > sizes[seed][best]) best = k;
        boolean[] kept = new boolean[plane];
        for (int i = 0; i < plane; i++) kept[i] = labels[seed][i] == best;
        mask[seed] = fillHoles(kept, rows, cols, queue);
        for (int dir : new int[] {-1, 1}) {
            int prev = seed;
            for (int s = seed + dir; s >= 0 && s < n; s += dir) {
                int[] label = labels[s];
                int[] size = sizes[s];
                int[] hit = new int[size.length];
                for (int i = 0; i < plane; i++) if (mask[prev][i]) hit[label[i]]++;
                boolean[] keep = new boolean[size.length];
                boolean any = false;
                for (int k = 1; k < size.length; k++) {
                    keep[k] = size[k] >= minPx && hit[k] >= MIN_LINK_OVERLAP * size[k];
                    any |= keep[k];
                }
                // nothing links: the cavity ends here, and beyond it nothing is kept
                if (!any) break;
                boolean[] m = new boolean[plane];
                for (int i = 0; i < plane; i++) m[i] = keep[label[i]];
                mask[s] = fillHoles(m, rows, cols, queue);
                prev = s;
            }
        }
        return mask;
    }

    /** Candidates not reachable from the image border without crossing the closed bone. */
    static boolean[] enclosedCandidates(double[] hu, int rows, int cols, int radius, double boneHu,
                                        boolean airClipped, double airHu, int[] queue) {
        int plane = rows * cols;
        boolean[] bone = new boolean[plane];
        for (int i = 0; i < plane; i++) bone[i] = hu[i] >= boneHu;
        boolean[] closed = squareFilter(squareFilter(bone, rows, cols, radius, true), rows, cols, radius, false);
        boolean[] outside = reachableFromBorder(closed, rows, cols, queue);
        boolean[] cand = new boolean[plane];
        for (int i = 0; i < plane; i++) {
            double v = hu[i];
            cand[i] = v >= Preprocessor.CANDIDATE_MIN_HU && v <= Preprocessor.CANDIDATE_MAX_HU
                    && (!airClipped || v > airHu) && !outside[i] && !closed[i];
        }
        return cand;
    }

    /** Pixels 4-connected to the image border through pixels that are not {@code blocked}. */
    private static boolean[] reachableFromBorder(boolean[] blocked, int rows, int cols, int[] queue) {
        boolean[] outside = new boolean[rows * cols];
        int tail = 0;
        for (int i = 0; i < rows * cols; i++) {
            int rr = i / cols;
            int cc = i % cols;
            if ((rr == 0 || cc == 0 || rr == rows - 1 || cc == cols - 1) && !blocked[i]) {
                outside[i] = true;
                queue[tail++] = i;
            }
        }
        for (int head = 0; head < tail; head++) {
            int p = queue[head];
            int rr = p / cols;
            int cc = p % cols;
            if (rr > 0) tail = free(blocked, outside, p - cols, queue, tail);
            if (rr < rows - 1) tail = free(blocked, outside, p + cols, queue, tail);
            if (cc > 0) tail = free(blocked, outside, p - 1, queue, tail);
            if (cc < cols - 1) tail = free(blocked, outside, p + 1, queue, tail);
        }
        return outside;
    }

    private static int free(boolean[] closed, boolean[] outside, int q, int[] queue, int tail) {
        if (!closed[q] && !outside[q]) {
            outside[q] = true;
            queue[tail++] = q;
        }
        return tail;
    }

    /**
     * Dilation (any set) or erosion (all set) over a (2r+1)^2 square, separable with running
     * counts; outside the image counts as unset for dilation and as set for erosion, so the image
     * edge never erodes.
     */
    static boolean[] squareFilter(boolean[] m, int rows, int cols, int r, boolean dilate) {
        boolean[] tmp = new boolean[m.length];
        for (int c = 0; c < cols; c++) {
            int count = 0;
            for (int k = 0; k <= Math.min(r, rows - 1); k++) if (m[k * cols + c]) count++;
            for (int row = 0; row < rows; row++) {
                int lo = Math.max(0, row - r);
                int hi = Math.min(rows - 1, row + r);
                tmp[row * cols + c] = dilate ? count > 0 : count == hi - lo + 1;
                if (row + r + 1 < rows && m[(row + r + 1) * cols + c]) count++;
                if (row - r >= 0 && m[(row - r) * cols + c]) count--;
            }
        }
        boolean[] out = new boolean[m.length];
        for (int row = 0; row < rows; row++) {
            int base = row * cols;
            int count = 0;
            for (int k = 0; k <= Math.min(r, cols - 1); k++) if (tmp[base + k]) count++;
            for (int c = 0; c < cols; c++) {
                int lo = Math.max(0, c - r);
                int hi = Math.min(cols - 1, c + r);
                out[base + c] = dilate ? count > 0 : count == hi - lo + 1;
                if (c + r + 1 < cols && tmp[base + c + r + 1]) count++;
                if (c - r >= 0 && tmp[base + c - r]) count--;
            }
        }
        return out;
    }

    /** Pixels not reachable from the border through unkept pixels join the mask. */
    static boolean[] fillHoles(boolean[] kept, int rows, int cols, int[] queue) {
        int plane = rows * cols;
        boolean[] outside = reachableFromBorder(kept, rows, cols, queue);
        boolean[] out = new boolean[plane];
        for (int i = 0; i < plane; i++) out[i] = kept[i] || !outside[i];
        return out;
    }
}
