package org.ichtriage.app;

import java.nio.file.Path;
import java.time.Clock;

import org.ichtriage.app.config.IchConfig;
import org.ichtriage.inference.ModelException;
import org.ichtriage.inference.PostprocessConfig;
import org.ichtriage.inference.ProviderPreference;
import org.ichtriage.inference.SegmentationModel;
import org.ichtriage.inference.VolumeSegmenter;
import org.ichtriage.results.DerivedObjectWriter;
import org.ichtriage.pipeline.TriageAnalyzer;
import org.ichtriage.results.PatientKey;
import org.ichtriage.volume.AssemblyLimits;
import org.ichtriage.volume.SeriesAssembler;

/** Builds the analysis chain of a worker from the configuration; shared by `run` and `analyze`. */
public final class WorkerAssembly {
    private WorkerAssembly() {}

    public static SegmentationModel openModel(IchConfig config) throws ModelException {
        Path card = ModelLocator.cardFor(config.model().path());
        return SegmentationModel.open(card, new SegmentationModel.Options(
                ProviderPreference.valueOf(config.model().provider().name()), config.model().intraOpThreads(), 0));
    }

    public static PostprocessConfig postprocessConfig(IchConfig config) {
        return PostprocessConfig.DEFAULTS.withMinComponentMm3(config.results().minComponentMm3())
                .withLargeVolumeMl(config.results().largeVolumeMl()).withGate(config.results().gate());
    }

    public static SeriesAssembler assembler(IchConfig config) {
        return new SeriesAssembler(AssemblyLimits.DEFAULTS.withMaxSlices(config.pipeline().maxSlices())
                .withMaxBytes(config.pipeline().maxSeriesBytes()));
    }

    /**
     * @param firstModel an already opened model, used by the first thread (so start-up fails early on a bad model)
     */
    public static TriageAnalyzer analyzer(IchConfig config, SegmentationModel firstModel, DerivedObjectWriter derived) {
        PostprocessConfig post = postprocessConfig(config);
        java.util.concurrent.atomic.AtomicReference<SegmentationModel> first = new java.util.concurrent.atomic.AtomicReference<>(firstModel);
        return new TriageAnalyzer(() -> {
            SegmentationModel m = first.getAndSet(null);
            try {
                return new VolumeSegmenter(m != null ? m : openModel(config), post);
            } catch (ModelException e) {
                throw new IllegalStateException("cannot open the model for a new worker thread: " + e.getMessage(), e);
            }
        }, assembler(config), derived,
                PatientKey.forInstallation(config.results().patientKeySecret(), config.stateDir()),
                new TriageAnalyzer.Settings(config.pipeline().applicationId(), config.results().includePatientName()),
                Clock.systemUTC());
    }
}
