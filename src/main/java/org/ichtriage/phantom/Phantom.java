package org.ichtriage.phantom;

import java.util.ArrayList;
import java.util.List;

import org.ichtriage.phantom.CtSeriesWriter.HuSlice;
import org.ichtriage.phantom.CtSeriesWriter.StudyIdentity;

/**
 * A generated head: HU slices in slice order, the hemorrhage truth per voxel (at least half of the
 * slab is blood, the training label rule `label >= 0.5`), and the truth volume.
 * Arrays are row-major rows x columns; callers must not modify them.
 */
public record Phantom(PhantomSpec spec, List<short[]> huSlices, List<boolean[]> truthMasks, double truthVolumeMl,
                      int rows, int columns) {

    public Phantom {
        huSlices = List.copyOf(huSlices);
        truthMasks = List.copyOf(truthMasks);
    }

    public double voxelVolumeMl() {
        return spec.pixelSpacingMm() * spec.pixelSpacingMm() * spec.sliceStepMm() / 1000.0;
    }

    public long truthVoxelCount() {
        long n = 0;
        for (boolean[] m : truthMasks) {
            for (boolean b : m) {
                if (b) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Part 10 CT instances, one per slice, as a scanner would send them. */
    public List<byte[]> toDicom(StudyIdentity id, boolean announceCount) {
        List<HuSlice> slices = new ArrayList<>(huSlices.size());
        for (short[] s : huSlices) {
            slices.add(new HuSlice(s));
        }
        return CtSeriesWriter.write(id, slices, rows, columns, spec.pixelSpacingMm(), spec.sliceStepMm(), announceCount);
    }
}
