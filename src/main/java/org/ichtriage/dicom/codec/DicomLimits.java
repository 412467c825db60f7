package org.ichtriage.dicom.codec;

/**
 * Bounds enforced by {@link DicomReader} before anything is allocated.
 *
 * @param maxElementLength    largest value length of a single element, in bytes
 * @param maxSequenceDepth    deepest nesting of sequences (1 = a top-level sequence with flat items)
 * @param maxTotalLength      largest input accepted, in bytes
 * @param maxItemsPerSequence most items in one sequence
 */
public record DicomLimits(long maxElementLength, int maxSequenceDepth, long maxTotalLength, int maxItemsPerSequence) {
    /** 64 MiB per element, 16 levels, 256 MiB in all, 100 000 items: a 512x512x1000-frame SEG fits; a bomb does not. */
    public static final DicomLimits DEFAULT = new DicomLimits(64L << 20, 16, 256L << 20, 100_000);

    public static final int MAX_DEPTH_CEILING = 64;

    public DicomLimits {
        if (maxElementLength < 0 || maxSequenceDepth < 0 || maxTotalLength < 0 || maxItemsPerSequence < 0) {
            throw new IllegalArgumentException("limits must be non-negative: " + maxElementLength + ", "
                    + maxSequenceDepth + ", " + maxTotalLength + ", " + maxItemsPerSequence);
        }
        // The reader recurses once per nesting level; 64 keeps it far from the thread stack's end.
        if (maxSequenceDepth > MAX_DEPTH_CEILING) {
            throw new IllegalArgumentException("maxSequenceDepth " + maxSequenceDepth + " exceeds " + MAX_DEPTH_CEILING);
        }
        if (maxTotalLength > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxTotalLength " + maxTotalLength + " exceeds what a byte[] holds");
        }
    }
}
