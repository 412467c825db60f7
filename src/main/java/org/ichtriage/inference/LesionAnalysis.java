package org.ichtriage.inference;

import java.util.List;

/**
 * What postprocessing finds in one volume.
 *
 * @param lesionMask        per native slice, in the volume's slice order (the SEG writer's input)
 * @param removedComponents 3D components dropped as smaller than the configured minimum
 */
public record LesionAnalysis(List<SliceMask> lesionMask, long lesionVoxels, double volumeMl,
                             VolumeInterval interval, AbcMeasurement abc, UncertaintySummary uncertainty,
                             TriageFlags flags, int removedComponents) {
    public LesionAnalysis {
        lesionMask = List.copyOf(lesionMask);
    }

    public int slicesWithLesion() {
        int n = 0;
        for (SliceMask m : lesionMask) if (!m.isEmpty()) n++;
        return n;
    }
}
