package org.ichtriage.inference;

/**
 * What one analysis of a volume holds at its peak, estimated before it starts from the slice count,
 * the matrix and the inference chunk, so that a volume too large for the worker is refused with a
 * reason rather than killing the process. The heap figures are counted from the code, the native one
 * is measured with {@code ich-triage bench memory} (docs/operations.md, "Worker memory"); both err on
 * the high side.
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
     * Per model-input pixel of the slices in one ONNX Runtime call: what the process holds outside the
     * heap (activations of backbone and SEM, ONNX Runtime's arena, allocator slack). Measured with
     * {@code ich-triage bench memory} at -Xmx2g and chunk 16 (18 slices a call): peak RSS minus the
     * committed heap was 850, 1588 and 2032 MiB at 40, 150 and 600 slices of 256x256; 2032 MiB / 18 /
     * 256^2 is about 1800 bytes, which this rounds up to. It over-counts small series, on purpose.
     */
    static final long NATIVE_BYTES_PER_INPUT_PIXEL = 1800;

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
