package org.ichtriage.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.analysis.CtSliceDecoder;
import org.ichtriage.testing.SharedData;
import org.ichtriage.volume.AssemblyLimits;
import org.ichtriage.volume.AssemblyResult;
import org.ichtriage.volume.CtSlice;
import org.ichtriage.volume.CtVolume;
import org.ichtriage.volume.SeriesAssembler;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Preprocessing v2 (the skull-enclosed cavity) equals training/'s Python, and behaves as drawn. */
class IntracranialMaskTest {

    @TestFactory
    Stream<DynamicTest> volumesMatchPythonGoldenVectors() throws Exception {
        List<Path> files = Golden.files("volume-v2-").stream()
                .filter(p -> !p.getFileName().toString().contains("digest")).toList();
        assumeFalse(files.isEmpty(), "no src/test/resources/golden/volume-v2-*.json yet (written by training/'s make golden)");
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> check(f)));
    }

    private static void check(Path f) throws Exception {
        JsonNode g = Golden.read(f);
        int n = g.get("slices").asInt();
        int rows = g.get("rows").asInt();
        int cols = g.get("cols").asInt();
        int size = g.get("input_size").asInt();
        short[] stored = Golden.int16(g, "stored_b64");
        double slope = g.get("slope").asDouble();
        double intercept = g.get("intercept").asDouble();
        double[][] hu = new double[n][rows * cols];
        for (int s = 0; s < n; s++) {
            for (int i = 0; i < rows * cols; i++) hu[s][i] = stored[s * rows * cols + i] * slope + intercept;
        }
        PreprocessedVolume pre = new Preprocessor(size, 2).preprocessHu(hu, rows, cols, g.get("pixel_spacing").asDouble());
        boolean[] expectedMask = Golden.uint8Mask(g, "mask_b64");
        float[] expected = Golden.float32(g, "expected_b64");
        int plane = rows * cols;
        int masked = 0;
        for (int s = 0; s < n; s++) {
            boolean[] want = java.util.Arrays.copyOfRange(expectedMask, s * plane, (s + 1) * plane);
            boolean[] got = pre.intracranialMasks().get(s).toArray();
            assertArrayEquals(want, got, g.get("case").asText() + ": mask of slice " + s);
            for (boolean b : got) if (b) masked++;
        }
        assertEquals(g.get("mask_pixels").asInt(), masked);
        double diff = Golden.maxAbsDiff(expected, pre.input());
        assertTrue(diff <= 1e-4, g.get("case").asText() + ": max abs diff " + diff + " > 1e-4");
    }

    /**
     * The real GE head: the v2 mask leaves out the neck and face below the skull base (the four
     * lowest slices, where v1 kept 66,000-75,000 pixels of soft tissue) and equals Python's mask.
     */
    @Test
    void realGeSeriesMaskLeavesTheNeckOutAndEqualsPython() throws Exception {
        List<DicomObject> datasets = SharedData.geTiltedDatasets();
        List<CtSlice> slices = new ArrayList<>();
        for (DicomObject ds : datasets) slices.add(CtSliceDecoder.decode(ds, 0));
        AssemblyResult r = new SeriesAssembler(AssemblyLimits.DEFAULTS).assemble(slices);
        CtVolume v = assertInstanceOf(AssemblyResult.Assembled.class, r).volumes().get(0);
        PreprocessedVolume pre = new Preprocessor(64, 2).preprocess(v);
        PreprocessedVolume v1 = new Preprocessor(64, 1).preprocess(v);
        JsonNode digest = Golden.read(Golden.files("volume-v2-ge-head-real-digest").get(0));
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (int s = 0; s < v.sliceCount(); s++) {
            boolean[] m = pre.intracranialMasks().get(s).toArray();
            int count = 0;
            byte[] bytes = new byte[m.length];
            for (int i = 0; i < m.length; i++) {
                bytes[i] = (byte) (m[i] ? 1 : 0);
                if (m[i]) count++;
            }
            sha.update(bytes);
            assertEquals(digest.get("slice_pixels").get(s).asInt(), count, "mask pixels of slice " + s);
            if (s < 4) {
                assertEquals(0, count, "slice " + s + " is below the skull base: neck and face only");
                assertTrue(count(v1.intracranialMasks().get(s).toArray()) > 50_000, "v1 kept the neck on slice " + s);
            }
        }
        assertEquals(digest.get("mask_sha256").asText(), HexFormat.of().formatHex(sha.digest()));
    }

    /** A ring of bone with brain inside and soft tissue outside: only the inside is kept. */
    @Test
    void softTissueOutsideTheRingIsNeverIntracranial() {
        int rows = 64;
        int cols = 64;
        double[][] hu = new double[5][rows * cols];
        for (double[] s : hu) {
            for (int i = 0; i < rows * cols; i++) {
                int y = i / cols - 32;
                int x = i % cols - 32;
                double d = Math.sqrt(x * x + y * y);
                s[i] = d < 18 ? 35 : d < 22 ? 1200 : d < 30 ? 50 : -1000;
            }
        }
        boolean[][] m = IntracranialMask.of(hu, rows, cols, 1.0);
        for (int i = 0; i < rows * cols; i++) {
            int y = i / cols - 32;
            int x = i % cols - 32;
            double d = Math.sqrt(x * x + y * y);
            if (d < 17) assertTrue(m[2][i], "inside the ring at " + x + "," + y);
            if (d > 23) assertFalse(m[2][i], "muscle outside the ring at " + x + "," + y);
        }
    }

    @Test
    void squareFilterDilatesAndErodesWithoutErodingFromTheImageEdge() {
        boolean[] m = new boolean[25];
        m[12] = true;
        boolean[] d = IntracranialMask.squareFilter(m, 5, 5, 1, true);
        int set = 0;
        for (boolean b : d) if (b) set++;
        assertEquals(9, set);
        boolean[] all = new boolean[25];
        java.util.Arrays.fill(all, true);
        boolean[] e = IntracranialMask.squareFilter(all, 5, 5, 2, false);
        for (boolean b : e) assertTrue(b);
    }

    private static int count(boolean[] m) {
        int c = 0;
        for (boolean b : m) if (b) c++;
        return c;
    }
}
