package org.ichtriage.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.ichtriage.analysis.CompletionReason;
import org.ichtriage.analysis.ReceivedInstance;
import org.ichtriage.analysis.SeriesBatch;
import org.ichtriage.analysis.SeriesOutcome;
import org.ichtriage.analysis.TriageAnalyzer;
import org.ichtriage.config.IchConfig;
import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.DicomReader;
import org.ichtriage.dicom.codec.DicomWriter;
import org.ichtriage.dicom.codec.Part10File;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.dicom.codec.VR;
import org.ichtriage.events.DeadLetter;
import org.ichtriage.phantom.CtSeriesWriter;
import org.ichtriage.phantom.HeadPhantom;
import org.ichtriage.phantom.PhantomSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe's implausible inputs, as DICOM through the worker's analyzer: each gets a typed refusal,
 * never a confident 0 mL negative. The unaltered phantom is analysed, so the refusals come from the alterations.
 */
class ImplausibleInputTest {
    @TempDir
    Path state;

    private TriageAnalyzer analyzer() throws Exception {
        Path tiny = Path.of(ImplausibleInputTest.class.getClassLoader().getResource("models/test-tiny.onnx").toURI());
        IchConfig c = IchConfig.load(null, Map.of(), Map.of("model.path", tiny.toString(), "model.provider", "cpu",
                "model.intra-op-threads", "1", "state.dir", state.toString()));
        return WorkerAssembly.analyzer(c, WorkerAssembly.openModel(c), List.of());
    }

    /** A 128-matrix phantom head of 12 slices; {@code alter} changes instance i's dataset. */
    private static SeriesBatch series(BiConsumer<Integer, DicomObject> alter) throws Exception {
        var id = CtSeriesWriter.StudyIdentity.random("ODD");
        List<byte[]> dicom = HeadPhantom.generate(PhantomSpec.normal(11).withMatrix(128).withSlices(12)).toDicom(id, false);
        List<ReceivedInstance> instances = new ArrayList<>();
        for (int i = 0; i < dicom.size(); i++) {
            Part10File f = DicomReader.readPart10(dicom.get(i), DicomLimits.DEFAULT);
            DicomObject ds = f.dataset();
            alter.accept(i, ds);
            byte[] part10 = DicomWriter.writePart10(ds, ds.getString(Tag.SOPClassUID), ds.getString(Tag.SOPInstanceUID),
                    f.transferSyntaxUid());
            instances.add(new ReceivedInstance(ds.getString(Tag.SOPInstanceUID), 0, i, System.currentTimeMillis(), part10));
        }
        return new SeriesBatch(id.seriesInstanceUid(), 1, CompletionReason.GAP, instances, "ich.instances.v1");
    }

    private static String refusal(TriageAnalyzer a, SeriesBatch b) {
        List<SeriesOutcome> out = a.analyze(b);
        assertEquals(1, out.size());
        DeadLetter dl = assertInstanceOf(SeriesOutcome.Refused.class, out.get(0), out.toString()).deadLetter();
        assertEquals(b.instances().size(), dl.sopInstanceUids().size());
        return dl.reason();
    }

    @Test
    void eachImplausibleInputIsRefusedWithItsReason() throws Exception {
        try (TriageAnalyzer a = analyzer()) {
            assertInstanceOf(SeriesOutcome.Analyzed.class, a.analyze(series((i, ds) -> { })).get(0));
            assertEquals("NO_HEAD_FOUND", refusal(a, series((i, ds) -> {
                int n = ds.getInt(Tag.Rows, 0) * ds.getInt(Tag.Columns, 0);
                byte[] air = new byte[2 * n];
                // stored 24 with the phantom's intercept -1024 is -1000 HU everywhere
                for (int k = 0; k < n; k++) air[2 * k] = 24;
                ds.putBytes(Tag.PixelData, VR.OW, air);
                ds.putString(Tag.RescaleIntercept, VR.DS, "-1024");
                ds.putString(Tag.RescaleSlope, VR.DS, "1");
            })));
            assertEquals("IMPLAUSIBLE_HU", refusal(a, series((i, ds) -> ds.putString(Tag.RescaleSlope, VR.DS, "1e308"))));
            assertEquals("MIXED_FRAME_OF_REFERENCE", refusal(a, series((i, ds) -> {
                if (i % 2 == 1) ds.putString(Tag.FrameOfReferenceUID, VR.UI, "2.25.1234567");
            })));
        }
    }
}
