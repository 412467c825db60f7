package org.ichtriage.phantom;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Statistical parity with the Python generator. The Python ranges below are the min / max over 24
 * phantoms (4 normal + 4 of each lesion type, seeds 1000-1023, 256 matrix, no hard negatives) measured
 * with src/test/python/phantom_stats.py and recorded in docs/phantom.md ("Parity with Python"). The Java
 * phantoms use the same mix, seeds 1-24, and the same measurement definitions (PhantomMeasures).
 */
class HeadPhantomParityTest {
    record Range(double min, double max) {
        boolean contains(double v) {
            return v >= min && v <= max;
        }
    }

    // docs/phantom.md, table "Python simple_volume, 24 phantoms"
    static final Range PY_WM_MEAN = new Range(26.945, 27.033);
    static final Range PY_WM_STD = new Range(2.872, 7.179);
    static final Range PY_GM_MEAN = new Range(38.756, 39.156);
    static final Range PY_GM_STD = new Range(2.888, 7.232);
    static final Range PY_CSF_MEAN = new Range(7.809, 8.379);
    static final Range PY_CSF_STD = new Range(2.969, 7.097);
    static final Range PY_SKULL_MEAN = new Range(644.040, 735.691);
    static final Range PY_SKULL_STD = new Range(127.283, 246.902);
    static final Range PY_LESION_MEAN = new Range(50.458, 89.540);
    static final Range PY_ICFRAC = new Range(0.135, 0.286);
    static final Range PY_SCALP_SLICES = new Range(0, 5);
    static final Map<LesionType, Range> PY_TRUTH_ML = new EnumMap<>(Map.of(
            LesionType.IPH, new Range(2.176, 28.384), LesionType.SDH, new Range(34.883, 100.397),
            LesionType.EDH, new Range(7.500, 25.926), LesionType.SAH, new Range(3.267, 10.788),
            LesionType.IVH, new Range(2.538, 5.241)));

    record Row(LesionType type, double wmMean, double wmStd, double gmMean, double gmStd, double csfMean,
               double csfStd, double skullMean, double skullStd, double lesionMean, double truthMl, double icfrac,
               int scalpSlices) {}

    static final List<Row> ROWS = new ArrayList<>();

    @BeforeAll
    static void measure() {
        long seed = 1;
        List<LesionType> groups = new ArrayList<>();
        groups.add(null);
        groups.addAll(List.of(LesionType.values()));
        for (LesionType t : groups) {
            for (int k = 0; k < 4; k++, seed++) {
                PhantomSpec spec = t == null ? PhantomSpec.normal(seed) : PhantomSpec.withLesions(seed, t);
                HeadPhantom.Traced g = HeadPhantom.generateTraced(spec);
                Phantom ph = g.phantom();
                HeadPhantom.Trace tr = g.trace();
                var wm = PhantomMeasures.classStats(ph, tr, (c, l) -> PhantomMeasures.only(c, HeadPhantom.WM) && l == 0);
                var gm = PhantomMeasures.classStats(ph, tr, (c, l) -> PhantomMeasures.only(c, HeadPhantom.GM) && l == 0);
                var csf = PhantomMeasures.classStats(ph, tr, (c, l) -> PhantomMeasures.only(c, HeadPhantom.CSF) && l == 0);
                var skull = PhantomMeasures.classStats(ph, tr,
                        (c, l) -> PhantomMeasures.only(c, HeadPhantom.BONE, HeadPhantom.DIPLOE) && l == 0);
                var lesion = PhantomMeasures.classStats(ph, tr, (c, l) -> l == 3);
                var mask = PhantomMeasures.maskSummary(ph, tr);
                Row row = new Row(t, wm.mean(), wm.std(), gm.mean(), gm.std(), csf.mean(), csf.std(), skull.mean(),
                        skull.std(), lesion.mean(), ph.truthVolumeMl(), mask.icfrac(), mask.scalpSlices());
                System.out.println("java phantom " + seed + ": " + row);
                ROWS.add(row);
            }
        }
    }

    private static double mean(java.util.function.ToDoubleFunction<Row> f, java.util.function.Predicate<Row> which) {
        return ROWS.stream().filter(which).mapToDouble(f).filter(v -> !Double.isNaN(v)).average().orElseThrow();
    }

    private static void assertMeanIn(String name, Range py, java.util.function.ToDoubleFunction<Row> f) {
        double v = mean(f, r -> true);
        System.out.printf("parity %-14s java mean %9.3f  python range [%9.3f, %9.3f]%n", name, v, py.min(), py.max());
        assertTrue(py.contains(v), name + ": Java mean " + v + " outside the Python range " + py);
    }

    @Test
    void tissueIntensitiesMatchPython() {
        assertMeanIn("wm_mean", PY_WM_MEAN, Row::wmMean);
        assertMeanIn("gm_mean", PY_GM_MEAN, Row::gmMean);
        assertMeanIn("csf_mean", PY_CSF_MEAN, Row::csfMean);
        assertMeanIn("skull_mean", PY_SKULL_MEAN, Row::skullMean);
        assertMeanIn("lesion_mean", PY_LESION_MEAN, Row::lesionMean);
    }

    @Test
    void noiseMatchesPython() {
        assertMeanIn("wm_std", PY_WM_STD, Row::wmStd);
        assertMeanIn("gm_std", PY_GM_STD, Row::gmStd);
        assertMeanIn("csf_std", PY_CSF_STD, Row::csfStd);
        assertMeanIn("skull_std", PY_SKULL_STD, Row::skullStd);
    }

    @Test
    void headSizeAndMaskMatchPython() {
        assertMeanIn("icfrac", PY_ICFRAC, Row::icfrac);
        assertMeanIn("scalp_slices", PY_SCALP_SLICES, Row::scalpSlices);
    }

    @Test
    void lesionVolumesMatchPython() {
        for (LesionType t : LesionType.values()) {
            double v = mean(Row::truthMl, r -> r.type() == t);
            Range py = PY_TRUTH_ML.get(t);
            System.out.printf("parity truth_ml %s java mean %8.3f  python range [%8.3f, %8.3f]%n", t, v, py.min(), py.max());
            assertTrue(py.contains(v), t + " mean truth volume " + v + " ml outside the Python range " + py);
        }
        assertTrue(ROWS.stream().filter(r -> r.type() == null).allMatch(r -> r.truthMl() == 0.0));
    }
}
