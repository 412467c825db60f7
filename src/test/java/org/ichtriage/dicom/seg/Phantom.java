package org.ichtriage.dicom.seg;

import java.util.ArrayList;
import java.util.List;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.Uids;
import org.ichtriage.phantom.CtSeriesWriter;

/** A synthetic head CT series (written by the phantom's CtSeriesWriter): skull, brain, ventricles and a hyperdense blob on 4 slices. */
final class Phantom {
    static final int SLICES = 12;
    static final int SIZE = 128;
    static final int FIRST_LESION_SLICE = 5;
    static final int LESION_SLICES = 4;

    final List<DicomObject> datasets = new ArrayList<>();
    final List<short[]> hu = new ArrayList<>();
    final List<boolean[]> masks = new ArrayList<>();

    Phantom() {
        // a name outside ASCII, so that the derived objects must carry the source's character set
        CtSeriesWriter.StudyIdentity identity = new CtSeriesWriter.StudyIdentity("PH-0001", "Phantom^Müller", Uids.newUid(),
                Uids.newUid(), Uids.newUid(), "PHANTOM1", java.time.LocalDateTime.of(2026, 1, 1, 12, 0));
        for (int z = 0; z < SLICES; z++) {
            short[] px = new short[SIZE * SIZE];
            boolean[] mask = new boolean[SIZE * SIZE];
            int dz = z - (FIRST_LESION_SLICE + 1);
            // Radius 14, 17, 17, 14 pixels on slices 5..8: a blob that grows and shrinks like a real bleed.
            double lesionR = z >= FIRST_LESION_SLICE && z < FIRST_LESION_SLICE + LESION_SLICES
                    ? 17 - 3 * Math.abs(dz - 0.5) + 1.5 : 0;
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    double ex = (x - 64) / 52.0;
                    double ey = (y - 64) / 60.0;
                    double r = Math.sqrt(ex * ex + ey * ey);
                    int v = -1000;
                    if (r < 1.0) {
                        v = r > 0.9 ? 1200 : 32;
                        double vx = (x - 64) / 6.0;
                        double vy = (y - 60) / 14.0;
                        if (vx * vx + vy * vy < 1 && r <= 0.9) {
                            v = 8;
                        }
                    }
                    double lx = x - 88;
                    double ly = y - 54;
                    if (lesionR > 0 && lx * lx + ly * ly * 1.4 < lesionR * lesionR) {
                        v = 68;
                        mask[y * SIZE + x] = true;
                    }
                    px[y * SIZE + x] = (short) v;
                }
            }
            hu.add(px);
            masks.add(mask);
        }
        datasets.addAll(CtSeriesWriter.datasets(identity, hu.stream().map(CtSeriesWriter.HuSlice::new).toList(), SIZE, SIZE,
                1.5, 5.0, false));
    }
}
