package org.ichtriage.audit;

import org.ichtriage.Topics;

import java.util.ArrayList;
import java.util.List;

import org.ichtriage.events.DeadLetter;
import org.ichtriage.events.ResultEvent;

/**
 * How a replayed result compares with the original of the same series. With the same model, a
 * MATCH needs the same input, volumes within max(0.5%, 0.05 mL) and the same flags: ONNX Runtime
 * on another CPU or thread count moves probabilities by about 1e-6, which can flip a handful of
 * border voxels, never more. With another model the differences are the answer, not a failure.
 */
public record ReplayComparison(String seriesInstanceUid, Verdict verdict, List<String> differences) {

    public enum Verdict {
        /** same model, same input, same answer within tolerance */
        MATCH,
        /** same model, but the answer differs: a reproducibility problem */
        MISMATCH,
        /** another model ran: the differences are listed, none of them is an error */
        MODEL_CHANGED,
        /** no original result for this series on the results topic */
        NO_ORIGINAL,
        /** the replay refused the series */
        REPLAY_REFUSED
    }

    public static final double RELATIVE_TOLERANCE = 0.005;
    public static final double ABSOLUTE_TOLERANCE_ML = 0.05;

    public static boolean volumesAgree(double original, double replayed) {
        return Math.abs(original - replayed) <= Math.max(RELATIVE_TOLERANCE * Math.abs(original), ABSOLUTE_TOLERANCE_ML);
    }

    public static ReplayComparison compare(ResultEvent original, ResultEvent replayed) {
        List<String> diff = new ArrayList<>();
        if (!original.provenance().inputDigest().equals(replayed.provenance().inputDigest())) {
            diff.add("input_digest " + original.provenance().inputDigest() + " -> " + replayed.provenance().inputDigest());
        }
        if (original.provenance().instanceCount() != replayed.provenance().instanceCount()) {
            diff.add("instance_count " + original.provenance().instanceCount() + " -> " + replayed.provenance().instanceCount()
                    + " (completed by " + original.provenance().completionReason() + " -> " + replayed.provenance().completionReason() + ")");
        }
        volume(diff, "volume.ml", original.volume().ml(), replayed.volume().ml());
        volume(diff, "volume.interval_ml.low", original.volume().intervalMl().low(), replayed.volume().intervalMl().low());
        volume(diff, "volume.interval_ml.high", original.volume().intervalMl().high(), replayed.volume().intervalMl().high());
        flag(diff, "flags.ich_detected", original.flags().ichDetected(), replayed.flags().ichDetected());
        flag(diff, "flags.large_volume", original.flags().largeVolume(), replayed.flags().largeVolume());
        flag(diff, "flags.high_uncertainty", original.flags().highUncertainty(), replayed.flags().highUncertainty());
        flag(diff, "flags.needs_review", original.flags().needsReview(), replayed.flags().needsReview());
        boolean sameModel = original.model().sha256().equals(replayed.model().sha256());
        Verdict v;
        if (sameModel) {
            v = diff.isEmpty() ? Verdict.MATCH : Verdict.MISMATCH;
        } else {
            diff.add(0, "model " + original.model().name() + " " + original.model().version() + " (" + original.model().sha256().substring(0, 12)
                    + ") -> " + replayed.model().name() + " " + replayed.model().version() + " (" + replayed.model().sha256().substring(0, 12) + ")");
            v = Verdict.MODEL_CHANGED;
        }
        return new ReplayComparison(original.seriesInstanceUid(), v, List.copyOf(diff));
    }

    public static ReplayComparison refused(String series, DeadLetter dl, ResultEvent original) {
        List<String> diff = new ArrayList<>();
        diff.add("replay refused the series: " + dl.reason() + " (" + dl.detail() + ")");
        if (original != null) {
            diff.add("original: volume " + original.volume().ml() + " mL, ich_detected=" + original.flags().ichDetected());
        }
        return new ReplayComparison(series, Verdict.REPLAY_REFUSED, List.copyOf(diff));
    }

    public static ReplayComparison noOriginal(ResultEvent replayed) {
        return new ReplayComparison(replayed.seriesInstanceUid(), Verdict.NO_ORIGINAL,
                List.of("no original result on " + Topics.RESULTS + "; replay: volume " + replayed.volume().ml() + " mL"));
    }

    private static void volume(List<String> diff, String name, double a, double b) {
        if (!volumesAgree(a, b)) {
            diff.add(name + " " + a + " -> " + b + " (tolerance max(0.5%, 0.05 mL))");
        }
    }

    private static void flag(List<String> diff, String name, boolean a, boolean b) {
        if (a != b) {
            diff.add(name + " " + a + " -> " + b);
        }
    }
}
