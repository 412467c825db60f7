package org.ichtriage.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.ichtriage.volume.CtVolume;
import org.junit.jupiter.api.Test;

/**
 * The shipped SLEX-Net run in bounded chunks gives the same segmentation as one whole-volume call:
 * chunking bounds native memory and must not change a single result.
 */
class ChunkedInferenceTest {
    private static final Path CARD = Path.of("models", "slexnet-ich.json");

    @Test
    void shippedModelInChunksEqualsTheWholeVolumeOnAPhantom() throws Exception {
        assumeTrue(Files.isRegularFile(CARD), "shipped model card not present");
        long[] truth = new long[1];
        CtVolume v = Phantoms.head(11, 256, 0.8, 5.0, 12.0, truth);
        SegmentationResult whole;
        ModelOutput wholeOut;
        try (SegmentationModel m = SegmentationModel.open(CARD, new SegmentationModel.Options(ProviderPreference.CPU, 2, 0))) {
            whole = new VolumeSegmenter(m, PostprocessConfig.DEFAULTS).segment(v);
            wholeOut = m.run(new Preprocessor(m.card().inputSize(), m.card().preprocessingVersion()).preprocess(v));
        }
        assertTrue(whole.analysis().flags().ichDetected(), "the phantom bleed must be found for the comparison to mean something");
        // chunk 4 cuts the 11 slices into 4+4+3 (three borders); 1 makes every slice its own call
        for (int chunk : new int[] {1, 4}) {
            try (SegmentationModel m = SegmentationModel.open(CARD, new SegmentationModel.Options(ProviderPreference.CPU, 2, chunk))) {
                SegmentationResult r = new VolumeSegmenter(m, PostprocessConfig.DEFAULTS).segment(v);
                ModelOutput out = m.run(new Preprocessor(m.card().inputSize(), m.card().preprocessingVersion()).preprocess(v));
                // with the production 2 intra-op threads, too: ONNX Runtime computes each image of a batch alike
                assertArrayEquals(wholeOut.prob(), out.prob(), "prob, chunk " + chunk);
                assertArrayEquals(wholeOut.hypotheses(), out.hypotheses(), "hypotheses, chunk " + chunk);
                assertArrayEquals(wholeOut.entropy(), out.entropy(), "entropy, chunk " + chunk);
                assertEquals(whole.analysis().volumeMl(), r.analysis().volumeMl(), "volume, chunk " + chunk);
                assertEquals(whole.analysis().lesionMask(), r.analysis().lesionMask(), "mask, chunk " + chunk);
                assertEquals(whole.analysis().flags(), r.analysis().flags(), "flags, chunk " + chunk);
            }
        }
    }
}
