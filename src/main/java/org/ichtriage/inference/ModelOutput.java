package org.ichtriage.inference;

/**
 * The three outputs of docs/model-interface.md for {@code slices} slices of {@code size}^2.
 * Arrays are owned by this record once built; callers must not modify them.
 */
public record ModelOutput(int slices, int size, float[] prob, float[] hypotheses, float[] entropy) {
    public ModelOutput {
        int plane = size * size;
        if (prob.length != slices * plane || entropy.length != slices * plane || hypotheses.length != 3 * slices * plane) {
            throw new IllegalArgumentException("output sizes do not match " + slices + " x " + size + "^2");
        }
    }
}
