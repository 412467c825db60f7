package org.ichtriage.volume;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Turns the instances of one series into sorted CT volumes, or refuses the series with a typed
 * reason and a detail precise enough for a person to find the offending instance.
 *
 * <p>Localizers: only instances whose ImageType carries LOCALIZER are skipped (and listed). A slice
 * whose orientation differs from the others without that flag refuses the series as
 * MIXED_ORIENTATION: guessing which orientation is "the majority" could silently drop the real
 * stack when a scout sequence is long, and a wrong guess yields a wrong volume.
 *
 * <p>AcquisitionNumber: a series is split into one volume per acquisition only when the
 * acquisitions overlap along the normal (repeated coverage, e.g. a pre/post or repeat scan).
 * Step-and-shoot scanners (the GE HiSpeed series here) give every rotation its own acquisition
 * number, one or two slices each, and those disjoint pieces form one stack.
 */
public final class SeriesAssembler {

    private final AssemblyLimits limits;

    public SeriesAssembler(AssemblyLimits limits) {
        this.limits = Objects.requireNonNull(limits);
    }

    public AssemblyLimits limits() {
        return limits;
    }

    public AssemblyResult assemble(Collection<CtSlice> input) {
        List<AssemblyResult.SkippedSlice> skipped = new ArrayList<>();
        if (input.size() > limits.maxSlices()) {
            return refuse(RefusalReason.TOO_MANY_SLICES, String.format(Locale.ROOT,
                    "%d instances exceed the limit of %d slices per series", input.size(), limits.maxSlices()));
        }
        long bytes = 0;
        for (CtSlice s : input) bytes += s.byteSize();
        if (bytes > limits.maxBytes()) {
            return refuse(RefusalReason.TOO_MANY_BYTES, String.format(Locale.ROOT,
                    "%d bytes exceed the limit of %d bytes per series", bytes, limits.maxBytes()));
        }

        Map<String, CtSlice> unique = new LinkedHashMap<>();
        for (CtSlice s : input) {
            CtSlice prior = unique.putIfAbsent(s.sopInstanceUid(), s);
            if (prior != null) {
                if (prior.instanceNumber() != s.instanceNumber()
                        || !java.util.Arrays.equals(prior.imagePositionPatient(), s.imagePositionPatient())) {
                    return refuse(RefusalReason.CONFLICTING_DUPLICATE, "SOP Instance UID " + s.sopInstanceUid()
                            + " arrived twice with different instance number or position");
                }
                skipped.add(new AssemblyResult.SkippedSlice(s.sopInstanceUid(), s.instanceNumber(),
                        AssemblyResult.SkipReason.DUPLICATE_SOP_INSTANCE));
            }
        }

        String series = null;
        List<CtSlice> images = new ArrayList<>();
        for (CtSlice s : unique.values()) {
            if (!"CT".equals(s.modality() == null ? null : s.modality().trim())) {
                return refuse(RefusalReason.NOT_CT, "instance " + s.instanceNumber() + " (" + s.sopInstanceUid()
                        + ") has modality " + s.modality() + ", expected CT");
            }
            if (series == null) series = s.seriesInstanceUid();
            else if (!series.equals(s.seriesInstanceUid())) {
                return refuse(RefusalReason.MIXED_SERIES, "instance " + s.instanceNumber() + " belongs to series "
                        + s.seriesInstanceUid() + ", not " + series);
            }
            if (s.isLocalizer()) {
                skipped.add(new AssemblyResult.SkippedSlice(s.sopInstanceUid(), s.instanceNumber(),
                        AssemblyResult.SkipReason.LOCALIZER));
            } else {
                images.add(s);
            }
        }
        if (images.size() < limits.minSlices()) {
            return refuse(RefusalReason.TOO_FEW_SLICES, String.format(Locale.ROOT,
                    "%d image slice(s) after removing %d duplicate/localizer instance(s), need at least %d",
                    images.size(), skipped.size(), limits.minSlices()));
        }

        CtSlice ref = images.get(0);
        for (CtSlice s : images) {
            String missing = missingGeometry(s);
            if (missing != null) {
                return refuse(RefusalReason.MISSING_GEOMETRY, "instance " + s.instanceNumber() + " (" + s.sopInstanceUid()
                        + ") " + missing);
            }
        }
        for (CtSlice s : images) {
            if (s.rows() != ref.rows() || s.columns() != ref.columns()) {
                return refuse(RefusalReason.MIXED_MATRIX, String.format(Locale.ROOT,
                        "instance %d is %dx%d, instance %d is %dx%d", s.instanceNumber(), s.rows(), s.columns(),
                        ref.instanceNumber(), ref.rows(), ref.columns()));
            }
            double[] ps = s.pixelSpacing();
            double[] rps = ref.pixelSpacing();
            if (Math.abs(ps[0] - rps[0]) > 1e-4 * Math.max(1, rps[0]) || Math.abs(ps[1] - rps[1]) > 1e-4 * Math.max(1, rps[1])) {
                return refuse(RefusalReason.MIXED_MATRIX, String.format(Locale.ROOT,
                        "instance %d has pixel spacing %.6g\\%.6g mm, instance %d has %.6g\\%.6g mm",
                        s.instanceNumber(), ps[0], ps[1], ref.instanceNumber(), rps[0], rps[1]));
            }
            double[] o = s.imageOrientationPatient();
            double[] ro = ref.imageOrientationPatient();
            for (int k = 0; k < 6; k++) {
                if (Math.abs(o[k] - ro[k]) > limits.orientationTolerance()) {
                    return refuse(RefusalReason.MIXED_ORIENTATION, String.format(Locale.ROOT,
                            "instance %d orientation %s differs from instance %d orientation %s by %.3g (> %.3g)",
                            s.instanceNumber(), fmt(o), ref.instanceNumber(), fmt(ro), Math.abs(o[k] - ro[k]),
                            limits.orientationTolerance()));
                }
            }
        }
        for (CtSlice s : images) {
            // positions in different frames of reference cannot be sorted against each other
            if (!Objects.equals(s.frameOfReferenceUid(), ref.frameOfReferenceUid())) {
                return refuse(RefusalReason.MIXED_FRAME_OF_REFERENCE, "instance " + s.instanceNumber() + " has FrameOfReferenceUID (0020,0052) "
                        + s.frameOfReferenceUid() + ", instance " + ref.instanceNumber() + " has " + ref.frameOfReferenceUid());
            }
        }
        for (CtSlice s : images) {
            if (!s.hasPixelData()) {
                CtSlice.PixelDataIssue issue = s.pixelDataIssue() != null ? s.pixelDataIssue()
                        : new CtSlice.PixelDataIssue(RefusalReason.MISSING_PIXEL_DATA, "has no pixel data of " + s.rows() + "x" + s.columns());
                return refuse(issue.reason(), "instance " + s.instanceNumber() + " (" + s.sopInstanceUid() + ") " + issue.detail());
            }
        }

        double[] iop = ref.imageOrientationPatient();
        double[] rowDir = normalise(new double[] {iop[0], iop[1], iop[2]});
        double[] colDir = normalise(new double[] {iop[3], iop[4], iop[5]});
        double[] normal = normalise(cross(rowDir, colDir));
        double[] spacing = ref.pixelSpacing();

        List<List<CtSlice>> stacks = splitByAcquisition(images, normal);
        List<CtVolume> volumes = new ArrayList<>();
        for (List<CtSlice> stack : stacks) {
            Object built = buildStack(series, stack, normal, rowDir, colDir, spacing, stacks.size() > 1);
            if (built instanceof AssemblyResult.Refused r) return r;
            volumes.add((CtVolume) built);
        }
        return new AssemblyResult.Assembled(volumes, skipped);
    }

    private Object buildStack(String series, List<CtSlice> stack, double[] normal, double[] rowDir, double[] colDir,
                              double[] spacing, boolean split) {
        String where = split ? " in acquisition " + stack.get(0).acquisitionNumber() : "";
        if (stack.size() < limits.minSlices()) {
            return refuse(RefusalReason.TOO_FEW_SLICES, String.format(Locale.ROOT,
                    "%d slice(s)%s, need at least %d", stack.size(), where, limits.minSlices()));
        }
        List<CtSlice> sorted = new ArrayList<>(stack);
        sorted.sort(Comparator.comparingDouble((CtSlice s) -> dot(s.imagePositionPatient(), normal))
                .thenComparingInt(CtSlice::instanceNumber));
        int n = sorted.size();
        double[] pos = new double[n];
        for (int i = 0; i < n; i++) pos[i] = dot(sorted.get(i).imagePositionPatient(), normal);
        double[] steps = new double[n - 1];
        for (int i = 0; i + 1 < n; i++) {
            steps[i] = pos[i + 1] - pos[i];
            if (steps[i] < limits.positionToleranceMm()) {
                return refuse(RefusalReason.DUPLICATE_POSITION, String.format(Locale.ROOT,
                        "instances %d and %d%s are %.4f mm apart along the normal, at the same position",
                        sorted.get(i).instanceNumber(), sorted.get(i + 1).instanceNumber(), where, steps[i]));
            }
        }
        double median = CtVolume.median(steps);
        for (int i = 0; i < n - 1; i++) {
            if (steps[i] > limits.maxGapRatio() * median) {
                return refuse(RefusalReason.GAP_TOO_LARGE, String.format(Locale.ROOT,
                        "gap of %.2f mm between instance %d and %d%s exceeds %s x median step %.2f mm",
                        steps[i], sorted.get(i).instanceNumber(), sorted.get(i + 1).instanceNumber(), where,
                        trim(limits.maxGapRatio()), median));
            }
        }
        AssemblyResult.Refused uncovered = coverage(sorted, steps, where);
        if (uncovered != null) return uncovered;
        Integer acq = split ? stack.get(0).acquisitionNumber() : null;
        return CtVolume.of(series, acq, sorted, pos, rowDir, colDir, normal, spacing[0], spacing[1]);
    }

    /**
     * The median rule above cannot see a series that is sparse throughout (3 slices 21 and 97 mm apart
     * have a median step of 59 mm): each step is also held against what the slices themselves say they
     * cover, SliceThickness, with the same tolerance as the median rule (one missing slice). A stack
     * far smaller than its announced ImagesInAcquisition is a fragment, whatever its steps.
     */
    private AssemblyResult.Refused coverage(List<CtSlice> sorted, double[] steps, String where) {
        for (int i = 0; i < steps.length; i++) {
            Double a = sorted.get(i).sliceThicknessMm();
            Double b = sorted.get(i + 1).sliceThicknessMm();
            if (a == null || b == null) continue;
            double covered = Math.max(a, b);
            if (steps[i] > limits.maxGapRatio() * covered + limits.positionToleranceMm()) {
                return refuse(RefusalReason.INCOMPLETE_COVERAGE, String.format(Locale.ROOT,
                        "step of %.2f mm between instance %d and %d%s exceeds %s x SliceThickness (0018,0050) %.2f mm: "
                                + "the slices do not cover the head contiguously", steps[i], sorted.get(i).instanceNumber(),
                        sorted.get(i + 1).instanceNumber(), where, trim(limits.maxGapRatio()), covered));
            }
        }
        int announced = 0;
        for (CtSlice s : sorted) {
            if (s.imagesInAcquisition() != null) announced = Math.max(announced, s.imagesInAcquisition());
        }
        if (announced > 0 && sorted.size() * limits.maxGapRatio() < announced) {
            return refuse(RefusalReason.INCOMPLETE_COVERAGE, String.format(Locale.ROOT,
                    "%d slice(s)%s of %d announced by ImagesInAcquisition (0020,1002): less than 1/%s of the acquisition arrived",
                    sorted.size(), where, announced, trim(limits.maxGapRatio())));
        }
        return null;
    }

    /** One stack per acquisition when acquisitions overlap along the normal, else one stack. */
    private List<List<CtSlice>> splitByAcquisition(List<CtSlice> images, double[] normal) {
        Map<Integer, List<CtSlice>> groups = new TreeMap<>(Comparator.nullsFirst(Comparator.naturalOrder()));
        for (CtSlice s : images) groups.computeIfAbsent(s.acquisitionNumber(), k -> new ArrayList<>()).add(s);
        if (groups.size() <= 1) return List.of(images);
        List<double[]> ranges = new ArrayList<>();
        for (List<CtSlice> g : groups.values()) {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (CtSlice s : g) {
                double p = dot(s.imagePositionPatient(), normal);
                lo = Math.min(lo, p);
                hi = Math.max(hi, p);
            }
            ranges.add(new double[] {lo, hi});
        }
        double tol = limits.positionToleranceMm();
        for (int a = 0; a < ranges.size(); a++) {
            for (int b = a + 1; b < ranges.size(); b++) {
                double[] ra = ranges.get(a);
                double[] rb = ranges.get(b);
                if (ra[0] <= rb[1] + tol && rb[0] <= ra[1] + tol) {
                    return new ArrayList<>(groups.values());
                }
            }
        }
        return List.of(images);
    }

    private static String missingGeometry(CtSlice s) {
        double[] ipp = s.imagePositionPatient();
        double[] iop = s.imageOrientationPatient();
        double[] ps = s.pixelSpacing();
        if (ipp == null || ipp.length != 3 || !finite(ipp)) return "lacks a valid ImagePositionPatient (0020,0032)";
        if (iop == null || iop.length != 6 || !finite(iop)) return "lacks a valid ImageOrientationPatient (0020,0037)";
        if (ps == null || ps.length != 2 || !finite(ps) || ps[0] <= 0 || ps[1] <= 0) {
            return "lacks a valid PixelSpacing (0028,0030)";
        }
        if (s.rows() <= 0 || s.columns() <= 0) return "has an empty matrix " + s.rows() + "x" + s.columns();
        double[] r = {iop[0], iop[1], iop[2]};
        double[] c = {iop[3], iop[4], iop[5]};
        if (Math.abs(norm(r) - 1) > 1e-2 || Math.abs(norm(c) - 1) > 1e-2 || Math.abs(dot(r, c)) > 1e-2) {
            return "has ImageOrientationPatient (0020,0037) " + fmt(iop) + " that is not two orthogonal unit vectors";
        }
        return null;
    }

    private static AssemblyResult.Refused refuse(RefusalReason reason, String detail) {
        return new AssemblyResult.Refused(reason, detail);
    }

    private static boolean finite(double[] v) {
        for (double d : v) if (!Double.isFinite(d)) return false;
        return true;
    }

    static double dot(double[] a, double[] b) {
        return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    }

    static double[] cross(double[] a, double[] b) {
        return new double[] {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
    }

    private static double norm(double[] v) {
        return Math.sqrt(dot(v, v));
    }

    private static double[] normalise(double[] v) {
        double n = norm(v);
        return new double[] {v[0] / n, v[1] / n, v[2] / n};
    }

    private static String fmt(double[] v) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            if (i > 0) b.append('\\');
            b.append(String.format(Locale.ROOT, "%.4f", v[i]));
        }
        return b.toString();
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
