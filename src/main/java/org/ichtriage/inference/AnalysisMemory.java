package org.ichtriage.inference;

/**
 * What one analysis of a volume holds at its peak, estimated before it starts from the slice count,
 * the matrix and the inference chunk, so that a volume too large for the worker is refused with a
 * reason rather than killing the process. The per-pixel figures are counted from the code and
 * checked against {@code ich-triage bench memory} (docs/operations.md); they err on the high side.
 */
public final class AnalysisMemory {
    /**
     * Per source pixel: the received Part 10 copy (2), the decoded dataset's pixel data (2), the
     * slice's stored values (2), and postprocessing's four boolean masks at source resolution (4).
     */
    static final long BYTES_PER_SOURCE_PIXEL = 10;
    /** Per model-input pixel on the heap: the input and the five output planes (prob, 3 hypotheses, entropy) as floats. */
    static final long HEAP_BYTES_PER_INPUT_PIXEL = 6 * Float.BYTES;
    /**
     * Per model-input pixel of one ONNX Runtime call (activations of backbone and SEM), measured with
     * {@code bench memory --set model.chunk-slices=0}: (peak RSS at 150 slices - at 40) / 110 slices / 256^2.
     */
    static final long NATIVE_BYTES_PER_INPUT_PIXEL = 300;

    private AnalysisMemory() {
    }

    /**
     * @param chunkSlices slices per inference call; 0 is one call for the whole volume
     * @return estimated bytes, heap and native together
     */
    public static long estimateBytes(int slices, int rows, int columns, int inputSize, int chunkSlices) {
        long source = (long) slices * rows * columns * BYTES_PER_SOURCE_PIXEL;
        long plane = (long) inputSize * inputSize;
        long heap = slices * plane * HEAP_BYTES_PER_INPUT_PIXEL;
        // one neighbour slice of context each side of a chunk
        long perCall = chunkSlices == 0 || chunkSlices >= slices ? slices : chunkSlices + 2L;
        long callSlices = Math.min(perCall, slices);
        long nativeBytes = callSlices * plane * NATIVE_BYTES_PER_INPUT_PIXEL;
        // a chunk's outputs are copied out of ONNX Runtime before they land in the volume's arrays
        long chunkCopies = chunkSlices == 0 || chunkSlices >= slices ? 0 : callSlices * plane * 5L * Float.BYTES;
        return source + heap + nativeBytes + chunkCopies;
    }
}
