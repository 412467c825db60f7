package org.ichtriage.inference;

import java.util.List;

/**
 * The model input of one volume and what postprocessing needs from preprocessing.
 *
 * @param input              float32 {@code [slices, 1, size, size]}, row-major
 * @param intracranialMasks  per slice, native matrix (docs/preprocessing.md step 2)
 */
public record PreprocessedVolume(int slices, int size, int rows, int columns, float[] input,
                                 List<SliceMask> intracranialMasks) {
    public PreprocessedVolume {
        if (input.length != slices * size * size) {
            throw new IllegalArgumentException("input has " + input.length + " values, expected " + slices * size * size);
        }
        intracranialMasks = List.copyOf(intracranialMasks);
        if (intracranialMasks.size() != slices) throw new IllegalArgumentException("one mask per slice");
        input = input.clone();
    }

    /** A copy of the input tensor data. */
    @Override
    public float[] input() {
        return input.clone();
    }

    /** The input without copying, for the ONNX wrapper in this package only. */
    float[] inputView() {
        return input;
    }
}
