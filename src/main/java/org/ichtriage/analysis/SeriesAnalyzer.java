package org.ichtriage.analysis;

/**
 * Turns a complete series into outcomes: one per acquisition stack (usually exactly one), or a single
 * refusal. The stream topology owns assembly and delivery; the
 * analyzer owns the domain work (geometry, model, postprocessing, DICOM outputs). It must not throw
 * for bad input: a refusal is an outcome.
 */
@FunctionalInterface
public interface SeriesAnalyzer {
    java.util.List<SeriesOutcome> analyze(SeriesBatch batch);
}
