package org.ichtriage.inference;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** The hand-built test graph from src/test/python/make_test_tiny_onnx.py. */
final class TestModels {
    static final double A = 4.0;
    static final double B = -9.2;
    static final double MIX = 0.25;
    static final double BETA = 0.2;

    private TestModels() {
    }

    static Path tinyCard() {
        URL u = TestModels.class.getClassLoader().getResource("models/test-tiny.json");
        if (u == null) throw new IllegalStateException("test-tiny.json missing from test resources");
        try {
            return Path.of(u.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static SegmentationModel openTiny(ProviderPreference p, int threads, int chunk) throws ModelException {
        return SegmentationModel.open(tinyCard(), new SegmentationModel.Options(p, threads, chunk));
    }

    static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }
}
