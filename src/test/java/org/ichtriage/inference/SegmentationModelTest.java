package org.ichtriage.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class SegmentationModelTest {

    private static final int SIZE = 256;
    private static final int PLANE = SIZE * SIZE;

    private static float[] randomInput(int slices, long seed) {
        Random r = new Random(seed);
        float[] x = new float[slices * PLANE];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * 1.5 + 1.5);
        return x;
    }

    /** These fallback tests describe a host without CUDA; on a GPU host with onnxruntime_gpu they do not apply. */
    private static void assumeNoCuda() {
        boolean cudaProvider = ai.onnxruntime.OrtEnvironment.getAvailableProviders().contains(ai.onnxruntime.OrtProvider.CUDA)
                && java.nio.file.Files.exists(java.nio.file.Path.of("/dev/nvidia0"));
        org.junit.jupiter.api.Assumptions.assumeFalse(cudaProvider, "a CUDA GPU is present: the CPU-fallback tests do not apply");
    }

    @Test
    void autoFallsBackToCpuWithALoggedReason() throws Exception {
        assumeNoCuda();
        Logger log = (Logger) LoggerFactory.getLogger(SegmentationModel.class);
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        log.addAppender(seen);
        try (SegmentationModel m = TestModels.openTiny(ProviderPreference.AUTO, 1, 0)) {
            // this machine has no GPU and the CPU build of ONNX Runtime: CUDA must fail and be caught
            assertEquals("CPU", m.provider());
            assertTrue(m.fallbackReason().isPresent());
            assertTrue(seen.list.stream().anyMatch(e -> e.getLevel() == Level.INFO
                    && e.getFormattedMessage().startsWith("CUDA unavailable, using CPU: ")
                    && e.getFormattedMessage().contains(m.fallbackReason().get())), seen.list.toString());
            assertTrue(seen.list.stream().anyMatch(e -> e.getFormattedMessage().contains("runs on CPU")));
        } finally {
            log.detachAppender(seen);
        }
    }

    @Test
    void requestedCudaFallsBackWithWarningAndCpuNeverTriesCuda() throws Exception {
        assumeNoCuda();
        try (SegmentationModel m = TestModels.openTiny(ProviderPreference.CUDA, 1, 0)) {
            assertEquals("CPU", m.provider());
            assertTrue(m.fallbackReason().isPresent());
        }
        try (SegmentationModel m = TestModels.openTiny(ProviderPreference.CPU, 1, 0)) {
            assertEquals("CPU", m.provider());
            assertTrue(m.fallbackReason().isEmpty());
        }
    }

    @Test
    void sha256IsOfTheFileAndMismatchIsTyped(@TempDir Path dir) throws Exception {
        Path card = TestModels.tinyCard();
        byte[] onnx = Files.readAllBytes(card.resolveSibling("test-tiny.onnx"));
        try (SegmentationModel m = TestModels.openTiny(ProviderPreference.CPU, 1, 0)) {
            assertEquals(SegmentationModel.sha256Hex(onnx), m.modelSha256());
            assertEquals(m.card().sha256(), m.modelSha256());
        }
        byte[] tampered = onnx.clone();
        // the producer name sits in plain text near the end; change one letter of it
        String s = new String(tampered, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = s.indexOf("ich-triage-tests");
        assertTrue(at > 0);
        tampered[at] = 'J';
        Files.write(dir.resolve("test-tiny.onnx"), tampered);
        Files.copy(card, dir.resolve("test-tiny.json"));
        ModelIntegrityException e = assertThrows(ModelIntegrityException.class, () ->
                SegmentationModel.open(dir.resolve("test-tiny.json"), SegmentationModel.Options.defaults()));
        assertEquals(SegmentationModel.sha256Hex(tampered), e.actualSha256());
        assertTrue(e.getMessage().contains("declares"), e.getMessage());
    }

    @Test
    void cardErrorsAreTyped(@TempDir Path dir) throws Exception {
        String json = Files.readString(TestModels.tinyCard()).replaceAll("\"preprocessing_version\": \\d+", "\"preprocessing_version\": 3");
        Files.writeString(dir.resolve("c.json"), json);
        ModelException e = assertThrows(ModelException.class, () -> ModelCard.read(dir.resolve("c.json")));
        assertTrue(e.getMessage().contains("preprocessing_version 3"), e.getMessage());
        ModelException missing = assertThrows(ModelException.class, () -> ModelCard.read(dir.resolve("none.json")));
        assertTrue(missing.getMessage().contains("none.json"));
    }

    @Test
    void outputsFollowTheGraphWithReplicatedEdges() throws Exception {
        int n = 4;
        float[] x = randomInput(n, 7);
        try (SegmentationModel m = TestModels.openTiny(ProviderPreference.CPU, 1, 0)) {
            ModelOutput out = m.run(x, n, SIZE);
            for (int s = 0; s < n; s++) {
                int prev = Math.max(s - 1, 0);
                int next = Math.min(s + 1, n - 1);
                for (int i = 0; i < PLANE; i += 997) {
                    double xi = x[s * PLANE + i];
                    double h0 = TestModels.sigmoid(TestModels.A * xi + TestModels.B);
                    double h1 = TestModels.sigmoid(TestModels.A * ((1 - TestModels.MIX) * xi + TestModels.MIX * x[prev * PLANE + i]) + TestModels.B);
                    double h2 = TestModels.sigmoid(TestModels.A * ((1 - TestModels.MIX) * xi + TestModels.MIX * x[next * PLANE + i]) + TestModels.B);
                    double w = TestModels.BETA * Math.exp(-(h1 - h2) * (h1 - h2));
                    double p = (h0 + w * h1 + w * h2) / (1 + 2 * w);
                    double mean = (h0 + h1 + h2) / 3;
                    double ent = -(mean * Math.log(mean) + (1 - mean) * Math.log(1 - mean));
                    assertEquals(p, out.prob()[s * PLANE + i], 1e-5);
                    assertEquals(h1, out.hypotheses()[(3 * s + 1) * PLANE + i], 1e-5);
                    assertEquals(h2, out.hypotheses()[(3 * s + 2) * PLANE + i], 1e-5);
                    assertEquals(ent, out.entropy()[s * PLANE + i], 1e-5);
                }
            }
        }
    }

    @Test
    void chunkedRunsEqualTheWholeVolumeCall() throws Exception {
        int n = 7;
        float[] x = randomInput(n, 11);
        ModelOutput whole;
        try (SegmentationModel m = TestModels.openTiny(ProviderPreference.CPU, 2, 0)) {
            whole = m.run(x, n, SIZE);
        }
        for (int chunk : new int[] {1, 2, 3, 6, 7, 50}) {
            try (SegmentationModel m = TestModels.openTiny(ProviderPreference.CPU, 2, chunk)) {
                ModelOutput c = m.run(x, n, SIZE);
                assertArrayEquals(whole.prob(), c.prob(), 1e-6f, "prob, chunk " + chunk);
                assertArrayEquals(whole.hypotheses(), c.hypotheses(), 1e-6f, "hypotheses, chunk " + chunk);
                assertArrayEquals(whole.entropy(), c.entropy(), 1e-6f, "entropy, chunk " + chunk);
            }
        }
        // the overlap matters: chunks run without neighbours differ at their borders
        try (SegmentationModel m = TestModels.openTiny(ProviderPreference.CPU, 2, 0)) {
            float[] first = java.util.Arrays.copyOfRange(x, 0, 3 * PLANE);
            ModelOutput alone = m.run(first, 3, SIZE);
            double d = 0;
            for (int i = 0; i < PLANE; i++) {
                d = Math.max(d, Math.abs(alone.prob()[2 * PLANE + i] - whole.prob()[2 * PLANE + i]));
            }
            assertTrue(d > 1e-3, "slice 2 must depend on slice 3, diff " + d);
        }
    }

    @Test
    void wrongInputSizeIsTyped() throws Exception {
        try (SegmentationModel m = TestModels.openTiny(ProviderPreference.CPU, 1, 0)) {
            ModelException e = assertThrows(ModelException.class, () -> m.run(new float[2 * 64 * 64], 2, 64));
            assertTrue(e.getMessage().contains("input size 64"), e.getMessage());
        }
    }
}
