package org.ichtriage.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ichtriage.analysis.CompletionReason;
import org.ichtriage.analysis.ReceivedInstance;
import org.ichtriage.analysis.SeriesBatch;
import org.ichtriage.analysis.SeriesOutcome;
import org.ichtriage.analysis.TriageAnalyzer;
import org.ichtriage.config.IchConfig;
import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.DicomReader;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.events.DeadLetter;
import org.ichtriage.inference.SegmentationModel;
import org.ichtriage.phantom.CtSeriesWriter;
import org.ichtriage.phantom.HeadPhantom;
import org.ichtriage.phantom.Phantom;
import org.ichtriage.phantom.PhantomSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker as `run` assembles it: inference is chunked by default, and a volume over the memory budget is refused. */
class AnalysisMemoryBudgetTest {
    @TempDir
    Path state;

    private IchConfig config(Map<String, String> extra) throws Exception {
        Path tiny = Path.of(AnalysisMemoryBudgetTest.class.getClassLoader().getResource("models/test-tiny.onnx").toURI());
        Map<String, String> cli = new java.util.HashMap<>(Map.of("model.path", tiny.toString(), "model.provider", "cpu",
                "model.intra-op-threads", "1", "state.dir", state.toString()));
        cli.putAll(extra);
        return IchConfig.load(null, Map.of(), cli);
    }

    private static SeriesBatch phantomBatch(long seed) throws Exception {
        Phantom ph = HeadPhantom.generate(PhantomSpec.normal(seed));
        var id = CtSeriesWriter.StudyIdentity.random("MEM" + seed);
        List<ReceivedInstance> instances = new ArrayList<>();
        long offset = 0;
        for (byte[] part10 : ph.toDicom(id, false)) {
            String sop = DicomReader.readPart10(part10, DicomLimits.DEFAULT).dataset().getString(Tag.SOPInstanceUID);
            instances.add(new ReceivedInstance(sop, 0, offset++, System.currentTimeMillis(), part10));
        }
        return new SeriesBatch(id.seriesInstanceUid(), 1, CompletionReason.GAP, instances, "ich.instances.v1");
    }

    @Test
    void theWorkersModelRunsInBoundedChunksByDefault() throws Exception {
        try (SegmentationModel m = WorkerAssembly.openModel(config(Map.of()))) {
            assertEquals(16, m.options().chunkSlices());
        }
    }

    @Test
    void aVolumeOverTheBudgetIsRefusedWithTheSettingNamedAndOneWithinIsAnalysed() throws Exception {
        SeriesBatch batch = phantomBatch(5);
        IchConfig small = config(Map.of("pipeline.analysis-memory-mb", "100"));
        try (TriageAnalyzer analyzer = WorkerAssembly.analyzer(small, WorkerAssembly.openModel(small), List.of())) {
            List<SeriesOutcome> out = analyzer.analyze(batch);
            assertEquals(1, out.size());
            DeadLetter dl = assertInstanceOf(SeriesOutcome.Refused.class, out.get(0)).deadLetter();
            assertEquals("MEMORY_BUDGET_EXCEEDED", dl.reason());
            assertTrue(dl.detail().contains("pipeline.analysis-memory-mb=100") && dl.detail().contains("model.chunk-slices=16")
                    && dl.detail().contains(batch.instances().size() + " slices of 256x256"), dl.detail());
            assertEquals(batch.instances().size(), dl.sopInstanceUids().size(), "every instance is named: none is dropped silently");
        }
        IchConfig defaults = config(Map.of());
        try (TriageAnalyzer analyzer = WorkerAssembly.analyzer(defaults, WorkerAssembly.openModel(defaults), List.of())) {
            List<SeriesOutcome> out = analyzer.analyze(batch);
            assertInstanceOf(SeriesOutcome.Analyzed.class, out.get(0), out.toString());
        }
    }
}
