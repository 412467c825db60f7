package org.ichtriage.volume;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One stack of CT slices sorted along the slice normal, with the geometry taken from the slice
 * positions rather than from SliceThickness.
 *
 * <p>Slab extents: slice {@code i} stands for the space half-way to each neighbour,
 * {@code (pos[i+1] - pos[i-1]) / 2}; an end slice gets the one step it has. With even spacing this
 * is the step itself; with uneven spacing (the GE series: 4.0, 1.08, then 7.0 mm) the extents add
 * up to the covered length plus one step, so no tissue is counted twice or left out.
 *
 * <p>With a gantry tilt the orientation's column vector is tilted, the normal follows it and the
 * slices are sheared in-plane; the voxel volume row x column x perpendicular step is still exact
 * because a sheared prism has base times perpendicular height.
 *
 * @param positions along the unit normal, mm, ascending
 * @param steps     {@code positions[i+1] - positions[i]}, length n-1
 * @param extents   slab thickness per slice used for volumes, length n
 */
public record CtVolume(
        String seriesInstanceUid,
        Integer acquisitionNumber,
        List<CtSlice> slices,
        double[] positions,
        double[] steps,
        double[] extents,
        double[] rowDirection,
        double[] columnDirection,
        double[] normal,
        double rowSpacing,
        double columnSpacing,
        int rows,
        int columns) {

    public CtVolume {
        slices = List.copyOf(slices);
        positions = positions.clone();
        steps = steps.clone();
        extents = extents.clone();
        rowDirection = rowDirection.clone();
        columnDirection = columnDirection.clone();
        normal = normal.clone();
        int n = slices.size();
        if (positions.length != n || extents.length != n || steps.length != Math.max(0, n - 1)) {
            throw new IllegalArgumentException("geometry arrays do not match " + n + " slices");
        }
    }

    /** Builds the derived arrays from sorted slices and their positions. */
    static CtVolume of(String series, Integer acquisition, List<CtSlice> sorted, double[] positions,
                       double[] rowDir, double[] colDir, double[] normal, double rowSpacing, double colSpacing) {
        int n = sorted.size();
        double[] steps = new double[Math.max(0, n - 1)];
        for (int i = 0; i + 1 < n; i++) steps[i] = positions[i + 1] - positions[i];
        double[] extents = new double[n];
        for (int i = 0; i < n; i++) {
            if (n == 1) extents[i] = 0;
            else if (i == 0) extents[i] = steps[0];
            else if (i == n - 1) extents[i] = steps[n - 2];
            else extents[i] = (steps[i - 1] + steps[i]) / 2.0;
        }
        CtSlice first = sorted.get(0);
        return new CtVolume(series, acquisition, sorted, positions, steps, extents, rowDir, colDir, normal,
                rowSpacing, colSpacing, first.rows(), first.columns());
    }

    public int sliceCount() {
        return slices.size();
    }

    public CtSlice slice(int i) {
        return slices.get(i);
    }

    public double position(int i) {
        return positions[i];
    }

    public double step(int i) {
        return steps[i];
    }

    public double extent(int i) {
        return extents[i];
    }

    @Override
    public double[] positions() {
        return positions.clone();
    }

    @Override
    public double[] steps() {
        return steps.clone();
    }

    @Override
    public double[] extents() {
        return extents.clone();
    }

    @Override
    public double[] rowDirection() {
        return rowDirection.clone();
    }

    @Override
    public double[] columnDirection() {
        return columnDirection.clone();
    }

    @Override
    public double[] normal() {
        return normal.clone();
    }

    /** Volume of one voxel of slice {@code i} in mm^3. */
    public double voxelVolumeMm3(int i) {
        return rowSpacing * columnSpacing * extents[i];
    }

    public double hu(int slice, int row, int column) {
        Objects.checkIndex(row, rows);
        Objects.checkIndex(column, columns);
        return slices.get(slice).hu(row * columns + column);
    }

    public double medianStep() {
        return median(steps);
    }

    static double median(double[] values) {
        if (values.length == 0) return 0;
        double[] s = values.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2.0;
    }
}
