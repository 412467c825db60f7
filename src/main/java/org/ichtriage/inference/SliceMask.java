package org.ichtriage.inference;

import java.util.Arrays;
import java.util.Objects;

/** An immutable binary mask of one native slice, bit-packed row-major (bit i of word i/64). */
public final class SliceMask {
    private final int rows;
    private final int columns;
    private final long[] words;
    private final int cardinality;

    private SliceMask(int rows, int columns, long[] words) {
        this.rows = rows;
        this.columns = columns;
        this.words = words;
        int c = 0;
        for (long w : words) c += Long.bitCount(w);
        this.cardinality = c;
    }

    public static SliceMask of(int rows, int columns, boolean[] values) {
        if (values.length != rows * columns) {
            throw new IllegalArgumentException("mask has " + values.length + " values for " + rows + "x" + columns);
        }
        long[] w = new long[(values.length + 63) >>> 6];
        for (int i = 0; i < values.length; i++) if (values[i]) w[i >>> 6] |= 1L << (i & 63);
        return new SliceMask(rows, columns, w);
    }

    public static SliceMask empty(int rows, int columns) {
        return new SliceMask(rows, columns, new long[(rows * columns + 63) >>> 6]);
    }

    public int rows() {
        return rows;
    }

    public int columns() {
        return columns;
    }

    public boolean get(int index) {
        Objects.checkIndex(index, rows * columns);
        return (words[index >>> 6] & (1L << (index & 63))) != 0;
    }

    public boolean get(int row, int column) {
        return get(row * columns + column);
    }

    public int cardinality() {
        return cardinality;
    }

    public boolean isEmpty() {
        return cardinality == 0;
    }

    public boolean[] toArray() {
        boolean[] out = new boolean[rows * columns];
        for (int i = 0; i < out.length; i++) out[i] = (words[i >>> 6] & (1L << (i & 63))) != 0;
        return out;
    }

    /** The packed words, a copy; bit order as in the class comment. */
    public long[] words() {
        return words.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SliceMask m && m.rows == rows && m.columns == columns && Arrays.equals(m.words, words);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * rows + columns) + Arrays.hashCode(words);
    }

    @Override
    public String toString() {
        return "SliceMask[" + rows + "x" + columns + ", " + cardinality + " set]";
    }
}
