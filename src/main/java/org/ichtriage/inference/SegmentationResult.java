package org.ichtriage.inference;

/** The full answer for one volume: analysis, timings and the provenance of the model that ran. */
public record SegmentationResult(String seriesInstanceUid, int sliceCount, LesionAnalysis analysis,
                                 StageTimings timings, String provider, String modelName, String modelVersion,
                                 String modelSha256) {
}
