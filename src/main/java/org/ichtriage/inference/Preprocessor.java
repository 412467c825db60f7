package org.ichtriage.inference;

import java.util.List;
import java.util.stream.IntStream;
import org.ichtriage.volume.CtSlice;
import org.ichtriage.volume.CtVolume;

/**
 * docs/preprocessing.md, in float64: HU, intracranial mask (v1: per slice; v2: the skull-enclosed
 * cavity in 3D, {@link IntracranialMask}), window 40/90, bilinear resize to the model's input
 * size, per-slice z-score. The version comes from the model card. Stateless and thread-safe.
 */
public final class Preprocessor {
    /** The newest version this build implements; every version from 1 up to it is supported. */
    public static final int PREPROCESSING_VERSION = 2;
    static final double CANDIDATE_MIN_HU = -15;
    static final double CANDIDATE_MAX_HU = 130;
    static final double MIN_COMPONENT_FRACTION = 0.005;
    static final double WINDOW_CENTRE = 40;
    static final double WINDOW_WIDTH = 90;
    static final double STD_FLOOR = 1e-6;

    private final int inputSize;
    private final int version;

    /** Version 1, for tests written against the first contract. */
    public Preprocessor(int inputSize) {
        this(inputSize, 1);
    }

    public Preprocessor(int inputSize, int version) {
        if (inputSize < 1) throw new IllegalArgumentException("input size must be >= 1, was " + inputSize);
        if (!supports(version)) {
            throw new IllegalArgumentException("preprocessing_version " + version + " is not supported (1.." + PREPROCESSING_VERSION + ")");
        }
        this.inputSize = inputSize;
        this.version = version;
    }

    public static boolean supports(int version) {
        return version >= 1 && version <= PREPROCESSING_VERSION;
    }

    public int version() {
        return version;
    }

    public int inputSize() {
        return inputSize;
    }

    /** One slice's result: the resized, z-scored plane and the native intracranial mask. */
    public record SliceResult(float[] input, boolean[] mask) {
    }

    /**
     * Slices are independent, so they run on the common fork-join pool; each writes only its own
     * part of the output, so the result does not depend on the scheduling.
     */
    public PreprocessedVolume preprocess(CtVolume volume) {
        int n = volume.sliceCount();
        int rows = volume.rows();
        int cols = volume.columns();
        double[][] hu = new double[n][];
        IntStream.range(0, n).parallel().forEach(s -> {
            CtSlice slice = volume.slice(s);
            double[] h = new double[rows * cols];
            for (int i = 0; i < h.length; i++) h[i] = slice.hu(i);
            hu[s] = h;
        });
        return preprocessHu(hu, rows, cols, volume.rowSpacing());
    }

    /** The whole volume from HU planes [slice][row-major pixel], in slice order. */
    public PreprocessedVolume preprocessHu(double[][] hu, int rows, int cols, double rowSpacingMm) {
        int n = hu.length;
        int plane = inputSize * inputSize;
        float[] input = new float[n * plane];
        SliceMask[] masks = new SliceMask[n];
        Bilinear resize = new Bilinear(rows, cols, inputSize, inputSize);
        boolean[][] volumeMask = version >= 2 ? IntracranialMask.of(hu, rows, cols, rowSpacingMm) : null;
        IntStream.range(0, n).parallel().forEach(s -> {
            boolean[] mask = volumeMask != null ? volumeMask[s] : intracranialMask(hu[s], rows, cols);
            float[] x = windowResizeZscore(hu[s], mask, resize);
            System.arraycopy(x, 0, input, s * plane, plane);
            masks[s] = SliceMask.of(rows, cols, mask);
        });
        return new PreprocessedVolume(n, inputSize, rows, cols, input, List.of(masks));
    }

    /**
     * One slice from stored values, for golden vectors and tests.
     *
     * @param stored row-major stored values; read as unsigned when pixelRepresentation is 0
     */
    public SliceResult preprocessStored(short[] stored, int rows, int cols, double slope, double intercept,
                                        int pixelRepresentation) {
        if (stored.length != rows * cols) {
            throw new IllegalArgumentException("stored pixels " + stored.length + " != " + rows + "x" + cols);
        }
        double[] hu = new double[stored.length];
        for (int i = 0; i < hu.length; i++) {
            int v = pixelRepresentation == 1 ? stored[i] : (stored[i] & 0xFFFF);
            hu[i] = v * slope + intercept;
        }
        return preprocessHu(hu, rows, cols, new Bilinear(rows, cols, inputSize, inputSize));
    }

    private SliceResult preprocessHu(double[] hu, int rows, int cols, Bilinear resize) {
        boolean[] mask = intracranialMask(hu, rows, cols);
        return new SliceResult(windowResizeZscore(hu, mask, resize), mask);
    }

    /** Steps 3-5 of one slice given its mask. */
    private static float[] windowResizeZscore(double[] hu, boolean[] mask, Bilinear resize) {
        double[] w = new double[hu.length];
        double lo = WINDOW_CENTRE - WINDOW_WIDTH / 2;
        for (int i = 0; i < hu.length; i++) {
            w[i] = mask[i] ? Math.min(Math.max((hu[i] - lo) * 255.0 / WINDOW_WIDTH, 0.0), 255.0) : 0.0;
        }
        double[] r = resize.apply(w);
        double sum = 0;
        for (double v : r) sum += v;
        double mean = sum / r.length;
        double sq = 0;
        for (double v : r) sq += (v - mean) * (v - mean);
        double std = Math.sqrt(sq / r.length);
        double div = std < STD_FLOOR ? 1.0 : std;
        float[] out = new float[r.length];
        for (int i = 0; i < r.length; i++) out[i] = (float) ((r[i] - mean) / div);
        return out;
    }

    /** Step 2: largest 4-connected candidate component, holes filled; empty if too small. */
    static boolean[] intracranialMask(double[] hu, int rows, int cols) {
        int n = rows * cols;
        boolean[] candidate = new boolean[n];
        for (int i = 0; i < n; i++) candidate[i] = hu[i] >= CANDIDATE_MIN_HU && hu[i] <= CANDIDATE_MAX_HU;
        int[] label = new int[n];
        int[] queue = new int[n];
        int best = 0;
        int bestSize = 0;
        int next = 0;
        for (int start = 0; start < n; start++) {
            if (!candidate[start] || label[start] != 0) continue;
            int id = ++next;
            int size = flood(candidate, true, label, id, start, rows, cols, queue);
            // strictly greater keeps the earlier component on ties: scan order is row-major
            if (size > bestSize) {
                bestSize = size;
                best = id;
            }
        }
        boolean[] mask = new boolean[n];
        if (best == 0 || bestSize < MIN_COMPONENT_FRACTION * rows * cols) return mask;
        for (int i = 0; i < n; i++) mask[i] = label[i] == best;
        return IntracranialMask.fillHoles(mask, rows, cols, queue);
    }

    /** Labels the 4-connected component of {@code start} among pixels equal to {@code value}. */
    static int flood(boolean[] set, boolean value, int[] label, int id, int start, int rows, int cols, int[] queue) {
        int head = 0;
        int tail = 0;
        label[start] = id;
        queue[tail++] = start;
        while (head < tail) {
            int p = queue[head++];
            int r = p / cols;
            int c = p % cols;
            if (r > 0 && set[p - cols] == value && label[p - cols] == 0) { label[p - cols] = id; queue[tail++] = p - cols; }
            if (r < rows - 1 && set[p + cols] == value && label[p + cols] == 0) { label[p + cols] = id; queue[tail++] = p + cols; }
            if (c > 0 && set[p - 1] == value && label[p - 1] == 0) { label[p - 1] = id; queue[tail++] = p - 1; }
            if (c < cols - 1 && set[p + 1] == value && label[p + 1] == 0) { label[p + 1] = id; queue[tail++] = p + 1; }
        }
        return tail;
    }
}
