package org.ichtriage.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.ichtriage.volume.AssemblyLimits;
import org.ichtriage.volume.AssemblyResult;
import org.ichtriage.volume.CtSlice;
import org.ichtriage.volume.CtVolume;
import org.ichtriage.volume.SeriesAssembler;
import org.ichtriage.inference.PostprocessConfig;
import org.ichtriage.inference.ProviderPreference;
import org.ichtriage.inference.SegmentationModel;
import org.ichtriage.inference.SegmentationResult;
import org.ichtriage.inference.VolumeSegmenter;

/**
 * Prints the median preprocess / inference / postprocess time per volume for 1 and 2 intra-op
 * threads on a synthetic head CT.
 *
 * <pre>java -cp ... org.ichtriage.bench.InferenceBenchmark CARD.json [slices=40] [matrix=512] [runs=10]</pre>
 */
public final class InferenceBenchmark {
    private InferenceBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: InferenceBenchmark CARD.json [slices] [matrix] [runs] [provider AUTO|CUDA|CPU]");
            System.exit(2);
        }
        Path card = Path.of(args[0]);
        int slices = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        int matrix = args.length > 2 ? Integer.parseInt(args[2]) : 512;
        int runs = Math.max(10, args.length > 3 ? Integer.parseInt(args[3]) : 10);
        ProviderPreference pref = args.length > 4 ? ProviderPreference.valueOf(args[4]) : ProviderPreference.AUTO;
        CtVolume volume = syntheticHead(slices, matrix);
        System.out.printf(Locale.ROOT, "volume: %d slices of %dx%d, %d runs after 2 warm-up runs, cpus=%d%n",
                slices, matrix, matrix, runs, Runtime.getRuntime().availableProcessors());
        double[] totals = new double[3];
        int[] threadCounts = {1, 2};
        for (int t = 0; t < threadCounts.length; t++) {
            int threads = threadCounts[t];
            try (SegmentationModel model = SegmentationModel.open(card, new SegmentationModel.Options(pref, threads, 0))) {
                VolumeSegmenter seg = new VolumeSegmenter(model, PostprocessConfig.DEFAULTS);
                for (int w = 0; w < 2; w++) seg.segment(volume);
                long[] pre = new long[runs];
                long[] inf = new long[runs];
                long[] post = new long[runs];
                long[] total = new long[runs];
                SegmentationResult last = null;
                for (int r = 0; r < runs; r++) {
                    last = seg.segment(volume);
                    pre[r] = last.timings().preprocessNanos();
                    inf[r] = last.timings().inferenceNanos();
                    post[r] = last.timings().postprocessNanos();
                    total[r] = last.timings().totalNanos();
                }
                totals[t + 1] = median(total);
                System.out.printf(Locale.ROOT,
                        "model=%s provider=%s intra-op=%d  preprocess %.1f ms  inference %.1f ms  postprocess %.1f ms  total %.1f ms (median)  volume=%.2f mL%n",
                        model.card().name(), model.provider(), threads, median(pre) / 1e6, median(inf) / 1e6,
                        median(post) / 1e6, median(total) / 1e6, last.analysis().volumeMl());
            }
        }
        System.out.printf(Locale.ROOT, "speed-up 2 threads vs 1: %.2fx  (target: total <= 2000 ms per volume on 2 cores)%n",
                totals[1] / totals[2]);
    }

    private static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }

    /** Skull ring, noisy brain, a 20 mm bleed; 0.45 mm pixels and 5 mm steps. */
    static CtVolume syntheticHead(int slices, int matrix) {
        Random noise = new Random(42);
        double pixel = 0.45;
        double c = (matrix - 1) / 2.0;
        List<CtSlice> out = new ArrayList<>();
        for (int s = 0; s < slices; s++) {
            short[] px = new short[matrix * matrix];
            double z = s * 5.0;
            for (int r = 0; r < matrix; r++) {
                for (int k = 0; k < matrix; k++) {
                    double d = Math.hypot(r - c, (k - c) * 1.2);
                    double hu = d > 0.45 * matrix ? -1000 : d > 0.40 * matrix ? 1300 : 32 + noise.nextGaussian() * 4;
                    double dx = (k - c - 0.1 * matrix) * pixel;
                    double dy = (r - c) * pixel;
                    double dz = z - slices * 2.5;
                    if (dx * dx + dy * dy + dz * dz < 400) hu = 72 + noise.nextGaussian() * 4;
                    px[r * matrix + k] = (short) Math.round(hu + 1024);
                }
            }
            out.add(new CtSlice("2.25.9." + s, "2.25.9", "CT", List.of("ORIGINAL", "PRIMARY", "AXIAL"), 1, s + 1, null,
                    matrix, matrix, new double[] {pixel, pixel}, new double[] {-c * pixel, -c * pixel, z},
                    new double[] {1, 0, 0, 0, 1, 0}, 1, -1024, px, 1, 2L * matrix * matrix, 5.0, "2.25.9.0", null));
        }
        AssemblyResult r = new SeriesAssembler(AssemblyLimits.DEFAULTS).assemble(out);
        if (r instanceof AssemblyResult.Assembled a) return a.volumes().get(0);
        throw new IllegalStateException("synthetic volume refused: " + r);
    }
}
