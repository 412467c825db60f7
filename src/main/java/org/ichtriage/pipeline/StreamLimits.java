package org.ichtriage.pipeline;

/**
 * Bounds on what one worker holds, so that a runaway sender cannot exhaust it. Past any of them the
 * series is refused into the dead-letter topic and the worker carries on.
 *
 * @param keepClosedMs how long a completed or refused series stays known, so that late slices give a new revision of it
 */
public record StreamLimits(long completionGapMs, int maxSlices, long maxSeriesBytes, int maxOpenSeries, long keepClosedMs) {}
