package org.ichtriage.phantom;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Java port of the training generator's analytic head (training/ichtrain/phantoms.py, simple_volume):
 * an ellipsoid skull with diploe and scalp, grey/white matter with gyri, deep grey nuclei, lateral
 * ventricles, basal cisterns and falx, sampled three times across each slab (partial volume along z),
 * blurred in plane (sigma 0.6 px) and given correlated scanner noise. Lesions are defined in physical
 * millimetres so each grows and shrinks coherently from slice to slice. Deterministic for a spec.
 * See docs/phantom.md for what is and is not ported and for the measured parity with Python.
 */
public final class HeadPhantom {
    // HU of the anatomy classes, as in phantoms.py
    static final double HU_AIR = -1000, HU_CSF = 8, HU_WM = 27, HU_GM = 39, HU_SCALP = 30;
    static final double HU_BONE = 1300, HU_DIPLOE = 450, HU_FALX = 55, HU_DEEP_GM = HU_GM - 2;

    // class codes (low nibble of a point's flags byte)
    static final int AIR = 0, SCALP = 1, BONE = 2, DIPLOE = 3, CSF = 4, GM = 5, WM = 6, DEEP_GM = 7, FALX = 8;
    static final double[] CLASS_HU = {HU_AIR, HU_SCALP, HU_BONE, HU_DIPLOE, HU_CSF, HU_GM, HU_WM, HU_DEEP_GM, HU_FALX};
    private static final int CLASS_MASK = 0x0F, INTRA = 0x10, BRAIN = 0x20, CSF_SPACE = 0x40, VENT = 0x80;

    /** Samples per slab at -1/3, 0, +1/3 of the step (phantoms.py: -1.67, 0, 1.67 mm at 5 mm). */
    private static final double SUB_FRACTION = 1.67 / 5.0;
    private static final int SUBS = 3;

    private HeadPhantom() {}

    public static Phantom generate(PhantomSpec spec) {
        return run(spec, false).phantom();
    }

    /**
     * What only the tests need to look at, per output voxel (already flipped like the image): the anatomy
     * classes met by its three subsamples (bit 1 << class code), how many subsamples are lesion, and whether
     * most subsamples lie inside the inner table.
     */
    record Trace(List<short[]> classesPresent, List<byte[]> lesionSubsamples, List<boolean[]> intracranial,
                 double lesionBaseHu, double lesionPointHuMin, double lesionPointHuMax, double noiseSigma,
                 boolean flipped) {}

    record Traced(Phantom phantom, Trace trace) {}

    static Traced generateTraced(PhantomSpec spec) {
        return run(spec, true);
    }

    private record Geometry(double a, double b, double c, double skullT, double scalpT, int gyri, double gph,
                            double vx, double vw, double vl) {
        static Geometry draw(SplittableRandom r) {
            return new Geometry(u(r, 68, 78), u(r, 85, 98), u(r, 70, 82), u(r, 5, 8), u(r, 3, 6), r.nextInt(14, 24),
                    u(r, 0, 6.28), u(r, 5, 9), u(r, 3, 7), u(r, 18, 28));
        }

        double inner() {
            return 1 - skullT / a;
        }
    }

    private static double u(SplittableRandom r, double lo, double hi) {
        return lo + (hi - lo) * r.nextDouble();
    }

    /** Physical point of a sample, reused to avoid allocation in the inner loops. */
    private static final class Pt {
        double x, y, z, rho;
        int flags;
    }

    /** The sampling grid: slice x subsample x row x column, head-centred mm with z up. */
    private static final class Grid {
        final int n, m, slices;
        final double[] coords, zs, sub;
        final double cosA, sinA, ox, oy, tilt, cosT;
        final Geometry g;
        final byte[] flags;

        Grid(PhantomSpec spec, Geometry g, SplittableRandom r) {
            this.g = g;
            m = spec.matrix();
            slices = spec.slices();
            double ps = spec.pixelSpacingMm(), step = spec.sliceStepMm();
            double z0 = u(r, -g.c * 0.95, -g.c * 0.6);
            zs = new double[slices];
            for (int s = 0; s < slices; s++) {
                zs[s] = z0 + step * s;
            }
            sub = new double[] {-SUB_FRACTION * step, 0, SUB_FRACTION * step};
            coords = new double[m];
            for (int i = 0; i < m; i++) {
                coords[i] = (i - (m - 1) / 2.0) * ps;
            }
            double ang = u(r, -0.25, 0.25);
            cosA = Math.cos(ang);
            sinA = Math.sin(ang);
            ox = u(r, -8, 8);
            oy = u(r, -8, 8);
            tilt = u(r, -0.2, 0.2);
            cosT = Math.cos(tilt);
            n = slices * SUBS * m * m;
            flags = new byte[n];
        }

        void point(int idx, Pt p) {
            int c = idx % m;
            int rr = (idx / m) % m;
            int sp = idx / (m * m);
            point(sp / SUBS, sp % SUBS, rr, c, p);
            p.flags = flags[idx] & 0xFF;
        }

        void point(int s, int q, int r, int c, Pt p) {
            double xx = coords[c], yy = coords[r];
            double rx = xx * cosA - yy * sinA + ox;
            double ry = xx * sinA + yy * cosA + oy;
            p.x = rx;
            p.y = ry * cosT;
            p.z = zs[s] + sub[q] + tilt * ry;
            p.rho = Math.sqrt(sq(p.x / g.a) + sq(p.y / g.b) + sq(p.z / g.c));
        }
    }

    private static double sq(double v) {
        return v * v;
    }

    /** _simple_anatomy for one point: class code in the low nibble, region flags above. */
    private static int anatomy(Pt p, Geometry g) {
        double rho = p.rho, px = p.x, py = p.y, pz = p.z;
        double skt = g.skullT / g.a, inner = 1 - skt;
        int cls = AIR;
        if (rho >= 1 && rho < 1 + g.scalpT / g.a) {
            cls = SCALP;
        }
        if (rho >= inner && rho < 1) {
            cls = BONE;
        }
        if (rho >= inner + 0.3 * skt && rho < 1 - 0.3 * skt) {
            cls = DIPLOE;
        }
        if (rho >= inner) {
            // brain, nuclei, ventricles, cisterns and falx all lie inside the inner table
            return cls;
        }
        int flags = INTRA;
        cls = CSF;
        double th = Math.atan2(py, px);
        double gyr = 0.025 * Math.sin(g.gyri * th + 0.2 * pz) * Math.sin(0.35 * pz + g.gph);
        double brainEdge = inner - 3.0 / g.a;
        boolean brain = rho < brainEdge + gyr - 0.01;
        if (brain) {
            cls = GM;
            flags |= BRAIN;
        }
        if (rho < brainEdge - 0.1 + 1.5 * gyr) {
            cls = WM;
        }
        for (int sx = -1; sx <= 1; sx += 2) {
            if (sq((px - sx * 22) / 12) + sq((py - 5) / 16) + sq((pz + 5) / 14) < 1) {
                cls = DEEP_GM;
            }
        }
        boolean vent = false;
        for (int sx = -1; sx <= 1; sx += 2) {
            vent |= sq((px - sx * g.vx) / g.vw) + sq((py - 5) / g.vl) + sq((pz - 10) / 18) < 1;
        }
        if (vent) {
            cls = CSF;
            flags |= VENT;
        }
        boolean cist = Math.abs(Math.sqrt(px * px + sq(py - 10)) - 14) < 3 && Math.abs(pz + 30) < 6;
        if (cist) {
            cls = CSF;
        }
        if (Math.abs(px) < 1.2 && pz > -10 && !vent && Math.abs(py) > 10) {
            cls = FALX;
        }
        if (!brain || cist) {
            flags |= CSF_SPACE;
        }
        return flags | cls;
    }

    private interface PointTest {
        boolean test(Pt p);
    }

    private interface Lesion {
        boolean contains(Pt p);
    }

    /** Index of a uniformly chosen grid point passing the test (numpy: cand[rng.integers(len(cand))]), or -1. */
    private static int pick(Grid grid, SplittableRandom r, PointTest t) {
        Pt p = new Pt();
        int count = 0;
        for (int i = 0; i < grid.n; i++) {
            if (grid.flags[i] != 0) {
                grid.point(i, p);
                if (t.test(p)) {
                    count++;
                }
            }
        }
        if (count == 0) {
            return -1;
        }
        int k = r.nextInt(count);
        for (int i = 0; i < grid.n; i++) {
            if (grid.flags[i] != 0) {
                grid.point(i, p);
                if (t.test(p) && k-- == 0) {
                    return i;
                }
            }
        }
        throw new IllegalStateException("candidate count changed between passes");
    }

    private static boolean has(Pt p, int flag) {
        return (p.flags & flag) != 0;
    }

    /** _lesion_mask: one lesion of a kind, or null when the grid holds no place for it. */
    private static Lesion lesion(LesionType kind, Grid grid, SplittableRandom r) {
        Geometry g = grid.g;
        double inner = g.inner();
        Pt c = new Pt();
        switch (kind) {
            case IPH -> {
                int i = pick(grid, r, p -> has(p, BRAIN) && !has(p, VENT) && p.rho < inner * 0.75);
                if (i < 0) {
                    return null;
                }
                grid.point(i, c);
                double cx = c.x, cy = c.y, cz = c.z, r0 = u(r, 6, 22);
                int n = r.nextInt(2, 4);
                int[] ks = new int[n];
                double[] phases = new double[n], amps = new double[n];
                for (int j = 0; j < n; j++) {
                    ks[j] = r.nextInt(2, 5);
                }
                for (int j = 0; j < n; j++) {
                    phases[j] = u(r, 0, 2 * Math.PI);
                }
                for (int j = 0; j < n; j++) {
                    amps[j] = u(r, 0.08, 0.2);
                }
                return p -> has(p, INTRA) && lobulated(p, cx, cy, cz, r0, ks, phases, amps);
            }
            case SDH, EDH -> {
                double az = u(r, -Math.PI, Math.PI), el = u(r, -0.2, 0.9);
                double dx = Math.cos(el) * Math.cos(az), dy = Math.cos(el) * Math.sin(az), dz = Math.sin(el);
                boolean sdh = kind == LesionType.SDH;
                double ext = sdh ? u(r, 0.6, 1.1) : u(r, 0.25, 0.45);
                double t = sdh ? u(r, 4, 14) : u(r, 10, 24);
                return p -> {
                    if (!has(p, INTRA)) {
                        return false;
                    }
                    double rr = Math.sqrt(p.x * p.x + p.y * p.y + p.z * p.z) + 1e-9;
                    double ang = Math.acos(clamp((p.x * dx + p.y * dy + p.z * dz) / rr));
                    double prof = Math.max(0, 1 - sq(ang / ext));
                    if (sdh) {
                        prof = Math.sqrt(prof); // flat crescent, tapering only at its tips
                    }
                    double depth = (inner - p.rho) * g.a; // mm below the inner table
                    return depth >= 0 && depth < t * prof;
                };
            }
            case SAH -> {
                int i = pick(grid, r, p -> has(p, CSF_SPACE) && !has(p, VENT));
                if (i < 0) {
                    return null;
                }
                grid.point(i, c);
                double cx = c.x, cy = c.y, cz = c.z, rad = u(r, 15, 35);
                return p -> has(p, CSF_SPACE) && !has(p, VENT)
                        && sq(p.x - cx) + sq(p.y - cy) + sq(p.z - cz) < rad * rad;
            }
            case IVH -> {
                double[] ys = ventricleY(grid);
                if (ys.length == 0) {
                    return null;
                }
                double lvl = quantile(ys, u(r, 0.3, 0.9));
                int i = pick(grid, r, p -> has(p, VENT));
                grid.point(i, c);
                double side = r.nextDouble() < 0.6 ? Math.signum(c.x) : 0;
                // blood layers dependently: below the level means posterior (y grows posterior)
                return p -> has(p, VENT) && p.y > lvl && (side == 0 || Math.signum(p.x) == side);
            }
            default -> throw new IllegalArgumentException(kind.name());
        }
    }

    private static double clamp(double v) {
        return Math.max(-1, Math.min(1, v));
    }

    /** _lobulated: a sphere (flattened 1.3x along z) whose radius is modulated by a few angular harmonics. */
    private static boolean lobulated(Pt p, double cx, double cy, double cz, double r0, int[] ks, double[] phases,
                                     double[] amps) {
        double dx = p.x - cx, dy = p.y - cy, dz = (p.z - cz) * 1.3;
        double rr = Math.sqrt(dx * dx + dy * dy + dz * dz) + 1e-9;
        if (rr >= r0 * 1.6) {
            return false; // amplitudes sum to at most 0.6, so nothing further out can be inside
        }
        double th = Math.atan2(dy, dx);
        double ph = Math.acos(clamp(dz / rr));
        double mod = 1;
        for (int j = 0; j < ks.length; j++) {
            mod += amps[j] * Math.sin(ks[j] * th + phases[j]) * Math.sin(ks[j] * ph + phases[j] / 2);
        }
        return rr < r0 * mod;
    }

    private static double[] ventricleY(Grid grid) {
        Pt p = new Pt();
        double[] ys = new double[1024];
        int n = 0;
        for (int i = 0; i < grid.n; i++) {
            if ((grid.flags[i] & VENT) != 0) {
                grid.point(i, p);
                if (n == ys.length) {
                    ys = Arrays.copyOf(ys, n * 2);
                }
                ys[n++] = p.y;
            }
        }
        return Arrays.copyOf(ys, n);
    }

    /** numpy.quantile with its default linear interpolation. */
    static double quantile(double[] values, double q) {
        double[] v = values.clone();
        Arrays.sort(v);
        double h = (v.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, v.length - 1);
        return v[lo] + (h - lo) * (v[hi] - v[lo]);
    }

    private record Calcification(double x, double y, double z, double radius, double hu) {}

    private record Streak(double sinA, double cosA, double offset, double amplitude) {}

    private static Traced run(PhantomSpec spec, boolean trace) {
        SplittableRandom r = new SplittableRandom(spec.seed());
        Geometry g = Geometry.draw(r);
        Grid grid = new Grid(spec, g, r);
        int m = grid.m, plane = m * m, slices = grid.slices;
        Pt p = new Pt();
        for (int s = 0, idx = 0; s < slices; s++) {
            for (int q = 0; q < SUBS; q++) {
                for (int row = 0; row < m; row++) {
                    for (int col = 0; col < m; col++, idx++) {
                        grid.point(s, q, row, col, p);
                        grid.flags[idx] = (byte) anatomy(p, g);
                    }
                }
            }
        }

        List<Lesion> lesions = new ArrayList<>();
        for (LesionType kind : spec.lesions()) {
            Lesion l = lesion(kind, grid, r);
            if (l != null) {
                lesions.add(l);
            }
        }
        BitSet label = new BitSet(grid.n);
        int[] lo = {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE};
        int[] hi = {-1, -1, -1, -1};
        if (!lesions.isEmpty()) {
            for (int i = 0; i < grid.n; i++) {
                if ((grid.flags[i] & INTRA) == 0) {
                    continue;
                }
                grid.point(i, p);
                for (Lesion l : lesions) {
                    if (l.contains(p)) {
                        label.set(i);
                        int[] at = {i / (SUBS * plane), (i / plane) % SUBS, (i / m) % m, i % m};
                        for (int d = 0; d < 4; d++) {
                            lo[d] = Math.min(lo[d], at[d]);
                            hi[d] = Math.max(hi[d], at[d]);
                        }
                        break;
                    }
                }
            }
        }
        double lesionHu = u(r, 50, 90);
        LesionNoise lesionNoise = label.isEmpty() ? null : new LesionNoise(r, lo, hi, new int[] {slices, SUBS, m, m});

        List<Calcification> calcs = new ArrayList<>();
        double streakZ = 0;
        List<Streak> streaks = new ArrayList<>();
        if (spec.hardNegatives().contains(HardNegative.CALCIFICATION)) {
            int n = r.nextInt(1, 5);
            for (int k = 0; k < n; k++) {
                int i = pick(grid, r, q -> has(q, BRAIN) || has(q, VENT));
                if (i < 0) {
                    break;
                }
                Pt c = new Pt();
                grid.point(i, c);
                calcs.add(new Calcification(c.x, c.y, c.z, u(r, 1.0, 3.5), u(r, 120, 400)));
            }
        }
        if (spec.hardNegatives().contains(HardNegative.STREAK)) {
            streakZ = u(r, -45, -15);
            int n = r.nextInt(2, 6);
            for (int k = 0; k < n; k++) {
                double ang = u(r, 0, Math.PI);
                double off = u(r, -20, 20);
                double sign = r.nextBoolean() ? 1 : -1;
                streaks.add(new Streak(Math.sin(ang), Math.cos(ang), off, sign * u(r, 20, 70)));
            }
        }
        double sigma = u(r, 3, 8);
        boolean flip = r.nextDouble() < 0.5;

        List<short[]> huSlices = new ArrayList<>(slices);
        List<boolean[]> truth = new ArrayList<>(slices);
        List<short[]> classesPresent = new ArrayList<>();
        List<byte[]> lesionSubsamples = new ArrayList<>();
        List<boolean[]> intracranial = new ArrayList<>();
        double lesionMin = Double.POSITIVE_INFINITY, lesionMax = Double.NEGATIVE_INFINITY;
        long truthCount = 0;
        double[] hu = new double[plane];
        double[] noise = new double[plane];
        int[] labelCount = new int[plane];
        int[] intraCount = new int[plane];
        short[] cls = new short[plane];
        for (int s = 0; s < slices; s++) {
            Arrays.fill(hu, 0);
            Arrays.fill(labelCount, 0);
            Arrays.fill(intraCount, 0);
            for (int q = 0; q < SUBS; q++) {
                int base = (s * SUBS + q) * plane;
                for (int pix = 0; pix < plane; pix++) {
                    int idx = base + pix;
                    int f = grid.flags[idx] & 0xFF;
                    double v = CLASS_HU[f & CLASS_MASK];
                    boolean needPoint = !calcs.isEmpty() || !streaks.isEmpty();
                    if (needPoint) {
                        grid.point(s, q, pix / m, pix % m, p);
                    }
                    if (label.get(idx)) {
                        v = lesionHu + 4 * lesionNoise.at(s, q, pix / m, pix % m);
                        lesionMin = Math.min(lesionMin, v);
                        lesionMax = Math.max(lesionMax, v);
                        labelCount[pix]++;
                    }
                    if ((f & INTRA) != 0) {
                        intraCount[pix]++;
                        for (Calcification k : calcs) {
                            if (sq(p.x - k.x) + sq(p.y - k.y) + sq((p.z - k.z) * 0.7) < k.radius * k.radius) {
                                v = k.hu;
                            }
                        }
                    }
                    if (!streaks.isEmpty()) {
                        double band = Math.exp(-sq((p.z - streakZ) / 8.0));
                        for (Streak k : streaks) {
                            double dist = Math.abs(p.x * k.sinA - (p.y - k.offset) * k.cosA);
                            v += k.amplitude * Math.exp(-sq(dist / 1.5)) * band;
                        }
                    }
                    hu[pix] += v / SUBS;
                    cls[pix] = (short) (q == 0 ? 1 << (f & CLASS_MASK) : cls[pix] | 1 << (f & CLASS_MASK));
                }
            }
            GaussianFilter.filter2d(hu, m, m, 0.6);
            for (int i = 0; i < plane; i++) {
                noise[i] = r.nextGaussian();
            }
            GaussianFilter.filter2d(noise, m, m, 0.7);
            short[] out = new short[plane];
            boolean[] t = new boolean[plane];
            short[] pc = trace ? new short[plane] : null;
            byte[] pl = trace ? new byte[plane] : null;
            boolean[] ic = trace ? new boolean[plane] : null;
            for (int row = 0; row < m; row++) {
                for (int col = 0; col < m; col++) {
                    int src = row * m + col;
                    int dst = row * m + (flip ? m - 1 - col : col);
                    double v = hu[src] + sigma * noise[src] * 2.2;
                    out[dst] = (short) Math.max(-1024, Math.min(30000, Math.round(v)));
                    // the training label is the slab's lesion fraction; truth is fraction >= 0.5
                    t[dst] = labelCount[src] * 2 >= SUBS;
                    if (t[dst]) {
                        truthCount++;
                    }
                    if (trace) {
                        pc[dst] = cls[src];
                        pl[dst] = (byte) labelCount[src];
                        ic[dst] = intraCount[src] * 2 >= SUBS;
                    }
                }
            }
            huSlices.add(out);
            truth.add(t);
            if (trace) {
                classesPresent.add(pc);
                lesionSubsamples.add(pl);
                intracranial.add(ic);
            }
        }
        double voxelMl = spec.pixelSpacingMm() * spec.pixelSpacingMm() * spec.sliceStepMm() / 1000.0;
        Phantom phantom = new Phantom(spec, huSlices, truth, truthCount * voxelMl, m, m);
        Trace tr = trace ? new Trace(classesPresent, lesionSubsamples, intracranial, lesionHu,
                lesionMin, lesionMax, sigma, flip) : null;
        return new Traced(phantom, tr);
    }

    /**
     * The clot's texture: white noise over the (slice, subsample, row, column) grid smoothed with sigma 1
     * along all four axes, as phantoms.py does, but only on the lesion's bounding box plus the kernel
     * radius, so a 512 matrix does not need a full-volume field.
     */
    private static final class LesionNoise {
        private final int[] lo = new int[4], dims = new int[4];
        private final double[] field;

        LesionNoise(SplittableRandom r, int[] boxLo, int[] boxHi, int[] full) {
            int radius = GaussianFilter.kernel(1.0).length / 2;
            int size = 1;
            for (int d = 0; d < 4; d++) {
                lo[d] = Math.max(0, boxLo[d] - radius);
                int h = Math.min(full[d] - 1, boxHi[d] + radius);
                dims[d] = h - lo[d] + 1;
                size *= dims[d];
            }
            field = new double[size];
            for (int i = 0; i < size; i++) {
                field[i] = r.nextGaussian();
            }
            for (int d = 0; d < 4; d++) {
                GaussianFilter.filterAxis(field, dims, d, 1.0);
            }
        }

        double at(int s, int q, int row, int col) {
            return field[(((s - lo[0]) * dims[1] + (q - lo[1])) * dims[2] + (row - lo[2])) * dims[3] + (col - lo[3])];
        }
    }
}
