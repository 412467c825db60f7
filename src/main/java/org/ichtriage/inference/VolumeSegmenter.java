package org.ichtriage.inference;

import org.ichtriage.volume.CtVolume;

/** Preprocess, infer and postprocess one volume with one model session; not thread-safe. */
public final class VolumeSegmenter {
    private final SegmentationModel model;
    private final Preprocessor preprocessor;
    private final Postprocessor postprocessor;

    public VolumeSegmenter(SegmentationModel model, PostprocessConfig config) {
        this.model = model;
        this.preprocessor = new Preprocessor(model.card().inputSize(), model.card().preprocessingVersion());
        this.postprocessor = new Postprocessor(config);
    }

    public SegmentationResult segment(CtVolume volume) throws ModelException {
        long t0 = System.nanoTime();
        PreprocessedVolume pre = preprocessor.preprocess(volume);
        long t1 = System.nanoTime();
        ModelOutput out = model.run(pre);
        long t2 = System.nanoTime();
        LesionAnalysis analysis = postprocessor.postprocess(volume, pre, out, model.card());
        long t3 = System.nanoTime();
        ModelCard card = model.card();
        return new SegmentationResult(volume.seriesInstanceUid(), volume.sliceCount(), analysis,
                new StageTimings(t1 - t0, t2 - t1, t3 - t2), model.provider(), card.name(), card.version(),
                model.modelSha256());
    }

    public SegmentationModel model() {
        return model;
    }
}
