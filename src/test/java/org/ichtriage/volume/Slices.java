package org.ichtriage.volume;

import java.util.ArrayList;
import java.util.List;
import org.ichtriage.testing.CtSlices;

/** Stacks of synthetic axial CT slices for the assembler tests. */
final class Slices {
    static final String SERIES = "1.2.3.4";

    private Slices() {
    }

    static CtSlice axial(int instance, double z) {
        return slice(instance, new double[] {-100, -100, z}, new double[] {1, 0, 0, 0, 1, 0}, 1, 4, 4);
    }

    static CtSlice slice(int instance, double[] ipp, double[] iop, Integer acquisition, int rows, int cols) {
        return CtSlices.axial().sop("1.2.3.4.5." + instance).series(SERIES).acquisition(acquisition).instance(instance)
                .matrix(rows, cols).pixelSpacing(0.5, 0.5).position(ipp).orientation(iop).build();
    }

    static List<CtSlice> stack(double... zs) {
        List<CtSlice> out = new ArrayList<>();
        for (int i = 0; i < zs.length; i++) out.add(axial(i + 1, zs[i]));
        return out;
    }
}
