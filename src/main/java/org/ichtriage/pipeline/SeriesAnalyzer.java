package org.ichtriage.pipeline;

/**
 * Turns a complete series into an outcome. The stream topology owns assembly and delivery; the
 * analyzer owns the domain work (geometry, model, postprocessing, DICOM outputs). It must not throw
 * for bad input: a refusal is an outcome.
 */
@FunctionalInterface
public interface SeriesAnalyzer {
    SeriesOutcome analyze(SeriesBatch batch);
}
