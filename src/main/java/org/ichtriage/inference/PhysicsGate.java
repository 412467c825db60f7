package org.ichtriage.inference;

/**
 * A predicted lesion voxel stays only when it could be blood: the mean HU of its in-plane
 * neighbourhood (a square of radius {@code radiusMm}, at least one pixel; pixels outside the
 * image do not count) lies in [minHu, maxHu]. Muscle-free soft tissue, CSF and brain fall below
 * 40 HU; bone partial volume at the inner table and calcifications lie above 100 HU. The mean, not
 * the voxel's own value, decides, so that noise of 3-10 HU does not.
 *
 * @param enabled  off: every predicted voxel stays (results.gate.enabled)
 * @param minHu    lowest plausible acute/subacute blood (results.gate.min-hu)
 * @param maxHu    highest plausible blood (results.gate.max-hu)
 * @param radiusMm neighbourhood radius in mm (results.gate.radius-mm)
 */
public record PhysicsGate(boolean enabled, double minHu, double maxHu, double radiusMm) {
    public static final PhysicsGate DEFAULTS = new PhysicsGate(true, 40.0, 100.0, 1.0);
    public static final PhysicsGate OFF = new PhysicsGate(false, 40.0, 100.0, 1.0);

    public PhysicsGate {
        if (!(minHu < maxHu)) throw new IllegalArgumentException("gate min-hu must be below max-hu, got " + minHu + " and " + maxHu);
        if (!(radiusMm > 0)) throw new IllegalArgumentException("gate radius-mm must be > 0, got " + radiusMm);
    }

    /** Radius in pixels for a pixel spacing (at least 1), as training/ichtrain/compare.py. */
    public int radiusPx(double pixelSpacingMm) {
        return Math.max(1, (int) Math.floor(radiusMm / pixelSpacingMm + 0.5));
    }

    /**
     * Clears the voxels of {@code masks} whose neighbourhood mean fails the gate.
     *
     * @param hu    row-major HU of the slice
     * @param masks masks of the same slice, each cleared in place
     * @return how many voxels of the first mask were cleared
     */
    public int apply(double[] hu, int rows, int cols, double pixelSpacingMm, boolean[]... masks) {
        if (!enabled) return 0;
        int r = radiusPx(pixelSpacingMm);
        // summed-area table: one pass, then every window mean in O(1)
        double[] sat = new double[(rows + 1) * (cols + 1)];
        for (int y = 0; y < rows; y++) {
            double line = 0;
            for (int x = 0; x < cols; x++) {
                line += hu[y * cols + x];
                sat[(y + 1) * (cols + 1) + x + 1] = sat[y * (cols + 1) + x + 1] + line;
            }
        }
        int cleared = 0;
        for (int i = 0; i < rows * cols; i++) {
            boolean any = false;
            for (boolean[] m : masks) any |= m[i];
            if (!any) continue;
            int y = i / cols;
            int x = i % cols;
            int y0 = Math.max(0, y - r);
            int y1 = Math.min(rows - 1, y + r);
            int x0 = Math.max(0, x - r);
            int x1 = Math.min(cols - 1, x + r);
            double sum = sat[(y1 + 1) * (cols + 1) + x1 + 1] - sat[y0 * (cols + 1) + x1 + 1]
                    - sat[(y1 + 1) * (cols + 1) + x0] + sat[y0 * (cols + 1) + x0];
            double mean = sum / ((y1 - y0 + 1) * (x1 - x0 + 1));
            if (mean >= minHu && mean <= maxHu) continue;
            if (masks[0][i]) cleared++;
            for (boolean[] m : masks) m[i] = false;
        }
        return cleared;
    }
}
