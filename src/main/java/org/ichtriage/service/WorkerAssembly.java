package org.ichtriage.service;

import java.nio.file.Path;
import java.time.Clock;

import org.ichtriage.config.IchConfig;
import org.ichtriage.inference.ModelException;
import org.ichtriage.inference.PostprocessConfig;
import org.ichtriage.inference.ProviderPreference;
import org.ichtriage.inference.SegmentationModel;
import org.ichtriage.inference.VolumeSegmenter;
import org.ichtriage.SoftwareVersion;
import org.ichtriage.analysis.DerivedObjectWriter;
import org.ichtriage.analysis.DicomResultWriter;
import java.util.List;
import org.ichtriage.analysis.SeriesSelection;
import org.ichtriage.analysis.TriageAnalyzer;
import org.ichtriage.analysis.PatientKey;
import org.ichtriage.volume.AssemblyLimits;
import org.ichtriage.volume.SeriesAssembler;

/** Builds the analysis chain of a worker from the configuration; shared by `run` and `analyze`. */
public final class WorkerAssembly {
    private WorkerAssembly() {}

    public static SegmentationModel openModel(IchConfig config) throws ModelException {
        NativeLibraries.useStateDirForOnnxRuntime(config.stateDir());
        Path card = ModelLocator.cardFor(config.model().path());
        return SegmentationModel.open(card, new SegmentationModel.Options(
                ProviderPreference.valueOf(config.model().provider().name()), config.model().intraOpThreads(), config.model().chunkSlices()));
    }

    public static PostprocessConfig postprocessConfig(IchConfig config) {
        return PostprocessConfig.DEFAULTS.withMinComponentMm3(config.results().minComponentMm3())
                .withLargeVolumeMl(config.results().largeVolumeMl()).withGate(config.results().gate());
    }

    public static SeriesAssembler assembler(IchConfig config) {
        return new SeriesAssembler(AssemblyLimits.DEFAULTS.withMaxSlices(config.pipeline().maxSlices())
                .withMaxBytes(config.pipeline().maxSeriesBytes()));
    }

    /** The DICOM outputs of a result: the SEG and the key images. */
    public static DerivedObjectWriter derivedObjects() {
        return new DicomResultWriter(SoftwareVersion.get(), Clock.systemUTC());
    }

    /**
     * @param firstModel          an already opened model, used by the first thread (so start-up fails early on a bad model)
     * @param forwardDestinations the destinations the result event names as pending; empty outside the service
     */
    public static TriageAnalyzer analyzer(IchConfig config, SegmentationModel firstModel, List<String> forwardDestinations) {
        PostprocessConfig post = postprocessConfig(config);
        java.util.concurrent.atomic.AtomicReference<SegmentationModel> first = new java.util.concurrent.atomic.AtomicReference<>(firstModel);
        return analyzer(config, () -> {
            SegmentationModel m = first.getAndSet(null);
            try {
                return new VolumeSegmenter(m != null ? m : openModel(config), post);
            } catch (ModelException e) {
                throw new IllegalStateException("cannot open the model for a new worker thread: " + e.getMessage(), e);
            }
        }, config.pipeline().applicationId(), forwardDestinations);
    }

    /**
     * The analyzer of a worker, of {@code analyze} or of a replay: the replay passes its own segmenters
     * (the model it was asked to compare) and application id, and shares everything else with the worker.
     */
    public static TriageAnalyzer analyzer(IchConfig config, java.util.function.Supplier<VolumeSegmenter> segmenters,
                                          String applicationId, List<String> forwardDestinations) {
        return new TriageAnalyzer(segmenters, assembler(config), derivedObjects(),
                PatientKey.forInstallation(config.results().patientKeySecret(), config.stateDir()),
                new TriageAnalyzer.Settings(applicationId, config.results().includePatientName(), forwardDestinations,
                        selectionRules(config.selection()), config.pipeline().analysisMemoryBytes()),
                Clock.systemUTC());
    }

    static SeriesSelection.Rules selectionRules(IchConfig.Selection s) {
        return new SeriesSelection.Rules(s.enabled(), s.headTerms(), s.otherBodyTerms(), s.sharpKernelTerms(), s.allowContrast(),
                s.minThicknessMm(), s.maxThicknessMm(), s.maxTiltDegrees());
    }
}
