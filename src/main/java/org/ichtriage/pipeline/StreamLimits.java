package org.ichtriage.pipeline;

/**
 * Bounds on what one worker holds, so that a runaway sender cannot exhaust it. Past any of them the
 * series is refused into the dead-letter topic and the worker carries on.
 *
 * @param keepClosedMs        how long a completed or refused series stays known, so that late slices give a new revision of it
 * @param earlyQuietMs        a contiguous stack covering earlyMinCoverageMm completes after this much quiet instead of the
 *                            full gap; 0 turns early completion off
 * @param maxAnalysisAttempts starts of one series' analysis in a row that never finished (the worker died inside it)
 *                            after which the series is refused instead of analysed again (pipeline.max-analysis-attempts)
 */
public record StreamLimits(long completionGapMs, int maxSlices, long maxSeriesBytes, int maxOpenSeries, long keepClosedMs,
                           long earlyQuietMs, double earlyMinCoverageMm, int maxAnalysisAttempts) {
    /** The default of pipeline.max-analysis-attempts. */
    public static final int DEFAULT_MAX_ANALYSIS_ATTEMPTS = 2;

    /**
     * Without early completion (every series waits for Images in Acquisition, the gap or a force
     * record) and with the default number of analysis attempts.
     */
    public StreamLimits(long completionGapMs, int maxSlices, long maxSeriesBytes, int maxOpenSeries, long keepClosedMs) {
        this(completionGapMs, maxSlices, maxSeriesBytes, maxOpenSeries, keepClosedMs, 0, 0, DEFAULT_MAX_ANALYSIS_ATTEMPTS);
    }

    boolean earlyCompletion() {
        return earlyQuietMs > 0 && earlyQuietMs < completionGapMs;
    }
}
