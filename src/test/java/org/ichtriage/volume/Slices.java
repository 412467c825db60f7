package org.ichtriage.volume;

import java.util.ArrayList;
import java.util.List;

/** Builds synthetic axial CT slices for tests. */
final class Slices {
    static final String SERIES = "1.2.3.4";

    private Slices() {
    }

    static CtSlice axial(int instance, double z) {
        return slice(instance, new double[] {-100, -100, z}, new double[] {1, 0, 0, 0, 1, 0}, 1, 4, 4);
    }

    static CtSlice slice(int instance, double[] ipp, double[] iop, Integer acquisition, int rows, int cols) {
        return new CtSlice("1.2.3.4.5." + instance, SERIES, "CT", List.of("ORIGINAL", "PRIMARY", "AXIAL"), acquisition,
                instance, null, rows, cols, new double[] {0.5, 0.5}, ipp, iop, 1, -1024,
                new short[rows * cols], 1, 1000);
    }

    static List<CtSlice> stack(double... zs) {
        List<CtSlice> out = new ArrayList<>();
        for (int i = 0; i < zs.length; i++) out.add(axial(i + 1, zs[i]));
        return out;
    }
}
