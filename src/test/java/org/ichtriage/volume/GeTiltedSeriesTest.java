package org.ichtriage.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The real GE HiSpeed head CT (18.5 degree tilt, steps 4.0, 1.08 and 7.0 mm). Geometry is read with
 * dcmtk's dcmdump because the project's codec lives on another branch; pixels are not needed to
 * decide assembly, so a zero matrix stands in for them. See docs/decisions/ge-tilted-series.md.
 */
class GeTiltedSeriesTest {

    private static final Pattern LINE = Pattern.compile("^\\((\\p{XDigit}{4}),(\\p{XDigit}{4})\\) \\w\\w (?:\\[(.*?)\\]|(\\d+))");

    @Test
    void geSeriesAssemblesIntoOneTiltedVolumeWithRealSteps() throws Exception {
        Path dcmdump = Path.of("/usr/bin/dcmdump");
        assumeTrue(Files.isExecutable(dcmdump), "dcmdump (dcmtk) not installed");
        List<Path> files = org.ichtriage.testing.SharedData.geTiltedFiles();
        assertEquals(28, files.size());
        List<CtSlice> slices = new ArrayList<>();
        for (Path f : files) slices.add(read(dcmdump, f));

        AssemblyResult result = new SeriesAssembler(AssemblyLimits.DEFAULTS).assemble(slices);
        AssemblyResult.Assembled a = assertInstanceOf(AssemblyResult.Assembled.class, result,
                () -> "refused: " + result);
        assertEquals(1, a.volumes().size(), "21 step-and-shoot acquisitions are disjoint, so one stack");
        CtVolume v = a.volumes().get(0);
        assertNull(v.acquisitionNumber());
        assertEquals(28, v.sliceCount());
        for (int i = 0; i < 28; i++) assertEquals(i + 1, v.slice(i).instanceNumber());

        double[] steps = v.steps();
        double min = Arrays.stream(steps).min().orElseThrow();
        double max = Arrays.stream(steps).max().orElseThrow();
        assertEquals(1.081, min, 0.001);
        assertEquals(6.999, max, 0.001);
        assertEquals(4.002, v.medianStep(), 0.001);
        assertTrue(max < 2 * v.medianStep(), "largest step is under the gap rule's 2 x median");
        // tilt 18.5 degrees: the normal leans away from +z by the gantry angle
        assertEquals(18.5, Math.toDegrees(Math.acos(v.normal()[2])), 0.05);
        assertEquals(0.4882812, v.rowSpacing(), 1e-7);
        double covered = 0;
        for (double e : v.extents()) covered += e;
        assertEquals(v.position(27) - v.position(0) + v.step(0) / 2 + v.step(26) / 2, covered, 1e-9);
    }

    private static CtSlice read(Path dcmdump, Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(dcmdump.toString(), "-M", "+L", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        Map<String, String> tags = new HashMap<>();
        for (String line : out.split("\n")) {
            Matcher m = LINE.matcher(line.trim());
            if (m.find()) {
                String tag = (m.group(1) + m.group(2)).toUpperCase();
                tags.putIfAbsent(tag, m.group(3) != null ? m.group(3) : m.group(4));
            }
        }
        int rows = Integer.parseInt(tags.get("00280010"));
        int cols = Integer.parseInt(tags.get("00280011"));
        return new CtSlice(tags.get("00080018"), tags.get("0020000E"), tags.get("00080060"),
                List.of(tags.get("00080008").split("\\\\")), Integer.valueOf(tags.get("00200012").trim()),
                Integer.parseInt(tags.get("00200013").trim()), null, rows, cols, ds(tags.get("00280030")),
                ds(tags.get("00200032")), ds(tags.get("00200037")), ds(tags.get("00281053"))[0],
                ds(tags.get("00281052"))[0], new short[rows * cols], Integer.parseInt(tags.get("00280103")),
                Files.size(file), tags.containsKey("00180050") ? ds(tags.get("00180050"))[0] : null, tags.get("00200052"), null);
    }

    private static double[] ds(String v) {
        return Arrays.stream(v.split("\\\\")).mapToDouble(s -> Double.parseDouble(s.trim())).toArray();
    }
}
