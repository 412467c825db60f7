package org.ichtriage.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ichtriage.inference.PostprocessConfig;
import org.ichtriage.inference.ProviderPreference;
import org.ichtriage.inference.SegmentationModel;
import org.ichtriage.inference.SegmentationResult;
import org.ichtriage.inference.VolumeSegmenter;
import org.ichtriage.volume.CtVolume;

/**
 * Peak resident memory of one analysis against slice count. Each count runs in a fresh JVM, because
 * VmHWM (the kernel's peak RSS of a process) only ever grows: one process per figure is the only
 * honest peak.
 *
 * <pre>java -cp ... org.ichtriage.bench.MemoryBenchmark CARD.json CHUNK SLICES... [--matrix N]</pre>
 */
public final class MemoryBenchmark {
    private MemoryBenchmark() {
    }

    /** One row of the table: a child JVM's figures. */
    /** @param heapCommittedMb the heap the JVM holds from the OS at the end: part of the RSS, bounded by -Xmx whatever the series */
    public record Row(int slices, int matrix, int chunkSlices, long baselineRssKb, long peakRssKb, long heapUsedMb,
                      long heapCommittedMb, long inferenceMs) {}

    public static void main(String[] args) throws Exception {
        if (args.length >= 1 && args[0].equals("--one")) {
            // child: CARD CHUNK SLICES MATRIX
            one(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            return;
        }
        if (args.length < 3) {
            System.err.println("usage: MemoryBenchmark CARD.json CHUNK SLICES... (CHUNK 0 = whole volume in one call)");
            System.exit(2);
        }
        Path card = Path.of(args[0]);
        int chunk = Integer.parseInt(args[1]);
        int matrix = 256;
        System.out.printf(Locale.ROOT, "peak RSS of one analysis (preprocess + model + postprocess) per slice count, %dx%d, chunk %s, one JVM each%n",
                matrix, matrix, chunk == 0 ? "off (one call)" : chunk + " slices");
        System.out.printf(Locale.ROOT, "max heap (-Xmx) %d MiB%n", Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf(Locale.ROOT, "%8s %8s %14s %14s %14s %19s %14s%n", "slices", "chunk", "baseline MiB", "peak RSS MiB",
                "heap used MiB", "heap committed MiB", "inference ms");
        for (int i = 2; i < args.length; i++) {
            Row r = runChild(card, chunk, Integer.parseInt(args[i]), matrix);
            System.out.printf(Locale.ROOT, "%8d %8d %14d %14d %14d %19d %14d%n", r.slices(), r.chunkSlices(), r.baselineRssKb() / 1024,
                    r.peakRssKb() / 1024, r.heapUsedMb(), r.heapCommittedMb(), r.inferenceMs());
        }
    }

    private static Row runChild(Path card, int chunk, int slices, int matrix) throws IOException, InterruptedException {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(javaBin));
        // the child gets this JVM's heap settings, so the figures are those of the launcher's worker
        cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), MemoryBenchmark.class.getName(), "--one", card.toString(), Integer.toString(chunk), Integer.toString(slices),
                Integer.toString(matrix)));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        String row = out.lines().filter(l -> l.startsWith("ROW ")).findFirst()
                .orElseThrow(() -> new IllegalStateException("child for " + slices + " slices exited " + rc + " without a result"));
        String[] f = row.substring(4).trim().split(" ");
        return new Row(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]), Long.parseLong(f[3]),
                Long.parseLong(f[4]), Long.parseLong(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]));
    }

    private static void one(Path card, int chunk, int slices, int matrix) throws Exception {
        CtVolume volume = InferenceBenchmark.syntheticHead(slices, matrix);
        try (SegmentationModel model = SegmentationModel.open(card, new SegmentationModel.Options(ProviderPreference.CPU, 2, chunk))) {
            VolumeSegmenter seg = new VolumeSegmenter(model, PostprocessConfig.DEFAULTS);
            long baseline = statusKb("VmRSS");
            SegmentationResult r = seg.segment(volume);
            long peak = statusKb("VmHWM");
            Runtime rt = Runtime.getRuntime();
            long heap = (rt.totalMemory() - rt.freeMemory()) >> 20;
            System.out.printf(Locale.ROOT, "ROW %d %d %d %d %d %d %d %d%n", slices, matrix, chunk, baseline, peak, heap,
                    rt.totalMemory() >> 20, r.timings().inferenceNanos() / 1_000_000);
        }
    }

    /** A "Vm..." line of /proc/self/status, in kB. */
    static long statusKb(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
            }
        }
        throw new IOException(field + " missing from /proc/self/status");
    }
}
