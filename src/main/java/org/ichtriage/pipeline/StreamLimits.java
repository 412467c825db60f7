package org.ichtriage.pipeline;

/**
 * Bounds on what one worker holds, so that a runaway sender cannot exhaust it. Past any of them the
 * series is refused into the dead-letter topic and the worker carries on.
 *
 * @param keepClosedMs        how long a completed or refused series stays known, so that late slices give a new revision of it
 * @param maxAnalysisAttempts starts of one series' analysis in a row that never finished (the worker died inside it)
 *                            after which the series is refused instead of analysed again (pipeline.max-analysis-attempts)
 */
public record StreamLimits(long completionGapMs, int maxSlices, long maxSeriesBytes, int maxOpenSeries, long keepClosedMs,
                           int maxAnalysisAttempts) {}
