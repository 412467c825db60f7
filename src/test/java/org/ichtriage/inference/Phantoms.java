package org.ichtriage.inference;

import java.util.ArrayList;
import java.util.List;
import org.ichtriage.volume.AssemblyLimits;
import org.ichtriage.volume.AssemblyResult;
import org.ichtriage.volume.CtSlice;
import org.ichtriage.volume.CtVolume;
import org.ichtriage.volume.SeriesAssembler;
import org.ichtriage.testing.CtSlices;

/** Synthetic axial head CT: air, a skull ring, brain at 30 HU and an optional 70 HU blood sphere. */
final class Phantoms {
    private Phantoms() {
    }

    /**
     * @param bloodRadiusMm 0 for none; the sphere sits right of centre, away from the skull
     * @param bloodVoxels   out: number of voxels set to blood (length 1), or null
     */
    static CtVolume head(int slices, int matrix, double pixelMm, double stepMm, double bloodRadiusMm, long[] bloodVoxels) {
        List<CtSlice> out = new ArrayList<>();
        double c = (matrix - 1) / 2.0;
        double skullOuter = 0.45 * matrix;
        double skullInner = 0.40 * matrix;
        double bx = c + 0.12 * matrix;
        double bz = (slices - 1) / 2.0 * stepMm;
        java.util.Random noise = new java.util.Random(3);
        long blood = 0;
        for (int s = 0; s < slices; s++) {
            short[] px = new short[matrix * matrix];
            double z = s * stepMm;
            for (int r = 0; r < matrix; r++) {
                for (int k = 0; k < matrix; k++) {
                    double d = Math.hypot(r - c, k - c);
                    double hu;
                    if (d > skullOuter) hu = -1000;
                    else if (d > skullInner) hu = 1200;
                    else {
                        hu = 30 + noise.nextGaussian() * 3;
                        double dx = (k - bx) * pixelMm;
                        double dy = (r - c) * pixelMm;
                        double dz = z - bz;
                        if (bloodRadiusMm > 0 && dx * dx + dy * dy + dz * dz <= bloodRadiusMm * bloodRadiusMm) {
                            hu = 70 + noise.nextGaussian() * 3;
                            blood++;
                        }
                    }
                    px[r * matrix + k] = (short) Math.round(hu + 1024);
                }
            }
            out.add(CtSlices.axial().sop("2.25.1." + s).series("2.25.1").instance(s + 1).imagesInAcquisition(slices)
                    .matrix(matrix, matrix).pixelSpacing(pixelMm, pixelMm).position(new double[] {-c * pixelMm, -c * pixelMm, z})
                    .pixels(px).byteSize(2L * matrix * matrix).build());
        }
        if (bloodVoxels != null) bloodVoxels[0] = blood;
        AssemblyResult r = new SeriesAssembler(AssemblyLimits.DEFAULTS).assemble(out);
        if (!(r instanceof AssemblyResult.Assembled a)) throw new IllegalStateException("phantom refused: " + r);
        return a.volumes().get(0);
    }
}
