package org.ichtriage.inference;

/** Wall-clock time of each stage of one volume, nanoseconds. */
public record StageTimings(long preprocessNanos, long inferenceNanos, long postprocessNanos) {
    public long totalNanos() {
        return preprocessNanos + inferenceNanos + postprocessNanos;
    }

    public static double ms(long nanos) {
        return nanos / 1e6;
    }
}
