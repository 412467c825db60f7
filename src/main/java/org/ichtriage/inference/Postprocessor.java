package org.ichtriage.inference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.ichtriage.volume.CtSlice;
import org.ichtriage.volume.CtVolume;

/**
 * Model output back to the native matrix, then lesion mask, volumes, ABC/2, uncertainty and flags.
 *
 * <p>Tiny components are judged in 3D with 6-connectivity (in-plane 4-neighbours plus the same
 * pixel on the adjacent slices): a bleed seen on two thin slices is one object, and diagonal-only
 * contacts across slices of 5 mm are too weak a link to merge specks. Their size is in mm^3 from the
 * per-slice voxel volume, so the rule means the same for thin and thick slices.
 */
public final class Postprocessor {
    private final PostprocessConfig config;

    public Postprocessor(PostprocessConfig config) {
        this.config = config;
    }

    public PostprocessConfig config() {
        return config;
    }

    public LesionAnalysis postprocess(CtVolume volume, PreprocessedVolume pre, ModelOutput out, ModelCard card) {
        int n = volume.sliceCount();
        int rows = volume.rows();
        int cols = volume.columns();
        if (pre.slices() != n || out.slices() != n || pre.rows() != rows || pre.columns() != cols) {
            throw new IllegalArgumentException("volume, preprocessing and model output disagree on the slice count or matrix");
        }
        int plane = out.size() * out.size();
        Bilinear back = new Bilinear(out.size(), out.size(), rows, cols);
        boolean[][] lesion = new boolean[n][];
        boolean[][] strict = new boolean[n][];
        boolean[][] lenient = new boolean[n][];
        boolean[][] brain = new boolean[n][];
        // slices are independent here; each task writes only its own rows of the arrays
        IntStream.range(0, n).parallel().forEach(s -> {
            brain[s] = pre.intracranialMasks().get(s).toArray();
            double[] p = back.apply(out.prob(), s * plane);
            boolean[] l = new boolean[p.length];
            boolean[] hi = new boolean[p.length];
            boolean[] lo = new boolean[p.length];
            for (int i = 0; i < p.length; i++) {
                if (!brain[s][i]) continue;
                l[i] = p[i] >= config.threshold();
                hi[i] = p[i] > config.strictThreshold();
                lo[i] = p[i] > config.lenientThreshold();
            }
            if (config.gate().enabled()) {
                CtSlice slice = volume.slice(s);
                double[] hu = new double[rows * cols];
                for (int i = 0; i < hu.length; i++) hu[i] = slice.hu(i);
                config.gate().apply(hu, rows, cols, volume.rowSpacing(), l, hi, lo);
            }
            lesion[s] = l;
            strict[s] = hi;
            lenient[s] = lo;
        });
        int removed = 0;
        if (config.minComponentMm3() > 0) {
            removed = removeSmallComponents(lesion, volume);
            removeSmallComponents(strict, volume);
            removeSmallComponents(lenient, volume);
        }
        double mm2 = volume.rowSpacing() * volume.columnSpacing();
        long voxels = 0;
        double vol = 0;
        double volStrict = 0;
        double volLenient = 0;
        List<SliceMask> masks = new ArrayList<>(n);
        for (int s = 0; s < n; s++) {
            int c = count(lesion[s]);
            voxels += c;
            vol += c * mm2 * volume.extent(s);
            volStrict += count(strict[s]) * mm2 * volume.extent(s);
            volLenient += count(lenient[s]) * mm2 * volume.extent(s);
            masks.add(SliceMask.of(rows, cols, lesion[s]));
        }
        vol /= 1000.0;
        VolumeInterval interval = new VolumeInterval(volStrict / 1000.0, volLenient / 1000.0);
        AbcMeasurement abc = abc(lesion, volume);
        UncertaintySummary unc = uncertainty(lesion, out, back, rows, cols);

        boolean detected = voxels > 0;
        boolean high = detected && unc.meanEntropyLesion() > card.highUncertaintyThreshold();
        List<ReviewReason> reasons = new ArrayList<>();
        if (high) reasons.add(ReviewReason.HIGH_UNCERTAINTY);
        if (touchesMaskEdge(lesion, brain, rows, cols)) reasons.add(ReviewReason.LESION_AT_MASK_EDGE);
        if (detected && (count(lesion[0]) > 0 || count(lesion[n - 1]) > 0)) reasons.add(ReviewReason.LESION_AT_VOLUME_END);
        if (interval.widthMl() > Math.max(config.reviewIntervalMinMl(), config.reviewIntervalFraction() * vol)) {
            reasons.add(ReviewReason.WIDE_INTERVAL);
        }
        TriageFlags flags = new TriageFlags(detected, vol >= config.largeVolumeMl(), high, reasons);
        return new LesionAnalysis(masks, voxels, vol, interval, abc, unc, flags, removed);
    }

    private static int count(boolean[] a) {
        int c = 0;
        for (boolean b : a) if (b) c++;
        return c;
    }

    /** Clears 3D 6-connected components under the configured mm^3; returns how many. */
    private int removeSmallComponents(boolean[][] mask, CtVolume volume) {
        int n = mask.length;
        int rows = volume.rows();
        int cols = volume.columns();
        int plane = rows * cols;
        double mm2 = volume.rowSpacing() * volume.columnSpacing();
        boolean[][] seen = new boolean[n][plane];
        long[] queue = new long[64];
        int removed = 0;
        for (int s0 = 0; s0 < n; s0++) {
            for (int i0 = 0; i0 < plane; i0++) {
                if (!mask[s0][i0] || seen[s0][i0]) continue;
                int tail = 0;
                seen[s0][i0] = true;
                queue[tail++] = (long) s0 * plane + i0;
                double mm3 = 0;
                for (int head = 0; head < tail; head++) {
                    long v = queue[head];
                    int s = (int) (v / plane);
                    int i = (int) (v % plane);
                    mm3 += mm2 * volume.extent(s);
                    int r = i / cols;
                    int c = i % cols;
                    if (queue.length < tail + 6) queue = Arrays.copyOf(queue, queue.length * 2);
                    if (r > 0 && mask[s][i - cols] && !seen[s][i - cols]) { seen[s][i - cols] = true; queue[tail++] = v - cols; }
                    if (r < rows - 1 && mask[s][i + cols] && !seen[s][i + cols]) { seen[s][i + cols] = true; queue[tail++] = v + cols; }
                    if (c > 0 && mask[s][i - 1] && !seen[s][i - 1]) { seen[s][i - 1] = true; queue[tail++] = v - 1; }
                    if (c < cols - 1 && mask[s][i + 1] && !seen[s][i + 1]) { seen[s][i + 1] = true; queue[tail++] = v + 1; }
                    if (s > 0 && mask[s - 1][i] && !seen[s - 1][i]) { seen[s - 1][i] = true; queue[tail++] = v - plane; }
                    if (s < n - 1 && mask[s + 1][i] && !seen[s + 1][i]) { seen[s + 1][i] = true; queue[tail++] = v + plane; }
                }
                if (mm3 < config.minComponentMm3()) {
                    removed++;
                    for (int k = 0; k < tail; k++) mask[(int) (queue[k] / plane)][(int) (queue[k] % plane)] = false;
                }
            }
        }
        return removed;
    }

    private static AbcMeasurement abc(boolean[][] lesion, CtVolume volume) {
        int rows = volume.rows();
        int cols = volume.columns();
        int best = -1;
        int bestArea = 0;
        double c = 0;
        for (int s = 0; s < lesion.length; s++) {
            int a = count(lesion[s]);
            if (a > 0) c += volume.extent(s);
            if (a > bestArea) {
                bestArea = a;
                best = s;
            }
        }
        if (best < 0) return AbcMeasurement.NONE;
        // largest 4-connected lesion on that slice
        boolean[] m = lesion[best];
        int[] label = new int[m.length];
        int[] queue = new int[m.length];
        int id = 0;
        int bestId = 0;
        int bestSize = 0;
        for (int i = 0; i < m.length; i++) {
            if (!m[i] || label[i] != 0) continue;
            int size = Preprocessor.flood(m, true, label, ++id, i, rows, cols, queue);
            if (size > bestSize) {
                bestSize = size;
                bestId = id;
            }
        }
        double dy = volume.rowSpacing();
        double dx = volume.columnSpacing();
        // diameters between pixel centres on the component's boundary, in mm
        List<int[]> edge = new ArrayList<>();
        for (int i = 0; i < m.length; i++) {
            if (label[i] != bestId) continue;
            int r = i / cols;
            int k = i % cols;
            boolean inner = r > 0 && r < rows - 1 && k > 0 && k < cols - 1
                    && label[i - cols] == bestId && label[i + cols] == bestId && label[i - 1] == bestId && label[i + 1] == bestId;
            if (!inner) edge.add(new int[] {r, k});
        }
        double bestD2 = -1;
        double ux = 1;
        double uy = 0;
        for (int a = 0; a < edge.size(); a++) {
            int[] p = edge.get(a);
            for (int b = a + 1; b < edge.size(); b++) {
                int[] q = edge.get(b);
                double ex = (q[1] - p[1]) * dx;
                double ey = (q[0] - p[0]) * dy;
                double d2 = ex * ex + ey * ey;
                if (d2 > bestD2) {
                    bestD2 = d2;
                    double len = Math.sqrt(d2);
                    ux = ex / len;
                    uy = ey / len;
                }
            }
        }
        double aMm;
        if (bestD2 <= 0) {
            aMm = Math.max(dx, dy);
            ux = 1;
            uy = 0;
        } else {
            // centre-to-centre distance misses half a pixel at each end
            aMm = Math.sqrt(bestD2) + Math.abs(ux) * dx + Math.abs(uy) * dy;
        }
        double px = -uy;
        double py = ux;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int[] p : edge) {
            double t = p[1] * dx * px + p[0] * dy * py;
            lo = Math.min(lo, t);
            hi = Math.max(hi, t);
        }
        double bMm = (hi - lo) + Math.abs(px) * dx + Math.abs(py) * dy;
        return new AbcMeasurement(aMm, bMm, c, best);
    }

    private UncertaintySummary uncertainty(boolean[][] lesion, ModelOutput out, Bilinear back, int rows, int cols) {
        int plane = out.size() * out.size();
        int band = config.bandVoxels();
        // per-slice partial sums, added in slice order afterwards so the total is deterministic
        double[][] part = new double[lesion.length][5];
        IntStream.range(0, lesion.length).parallel().forEach(s -> {
            if (count(lesion[s]) == 0) return;
            boolean[] near = dilate(lesion[s], rows, cols, band);
            double[] e = back.apply(out.entropy(), s * plane);
            double[] acc = part[s];
            for (int i = 0; i < e.length; i++) {
                if (lesion[s][i]) {
                    acc[0] += e[i];
                    acc[1]++;
                } else if (near[i]) {
                    acc[2] += e[i];
                    acc[3]++;
                } else {
                    continue;
                }
                if (e[i] > UncertaintySummary.HIGH_ENTROPY) acc[4]++;
            }
        });
        double sumL = 0;
        double sumB = 0;
        long nL = 0;
        long nB = 0;
        long high = 0;
        for (double[] acc : part) {
            sumL += acc[0];
            nL += (long) acc[1];
            sumB += acc[2];
            nB += (long) acc[3];
            high += (long) acc[4];
        }
        return new UncertaintySummary(nL == 0 ? 0 : sumL / nL, nB == 0 ? 0 : sumB / nB,
                nL + nB == 0 ? 0 : (double) high / (nL + nB), nL, nB);
    }

    /** Square (Chebyshev) dilation by {@code radius} pixels, separable. */
    static boolean[] dilate(boolean[] m, int rows, int cols, int radius) {
        boolean[] h = new boolean[m.length];
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int c = 0; c < cols; c++) {
                if (!m[o + c]) continue;
                for (int k = Math.max(0, c - radius); k <= Math.min(cols - 1, c + radius); k++) h[o + k] = true;
            }
        }
        boolean[] v = new boolean[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if (!h[r * cols + c]) continue;
                for (int k = Math.max(0, r - radius); k <= Math.min(rows - 1, r + radius); k++) v[k * cols + c] = true;
            }
        }
        return v;
    }

    private static boolean touchesMaskEdge(boolean[][] lesion, boolean[][] brain, int rows, int cols) {
        for (int s = 0; s < lesion.length; s++) {
            boolean[] l = lesion[s];
            boolean[] b = brain[s];
            for (int i = 0; i < l.length; i++) {
                if (!l[i]) continue;
                int r = i / cols;
                int c = i % cols;
                if (r == 0 || c == 0 || r == rows - 1 || c == cols - 1) return true;
                if (!b[i - cols] || !b[i + cols] || !b[i - 1] || !b[i + 1]) return true;
            }
        }
        return false;
    }
}
