package org.ichtriage.cli;


import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import org.ichtriage.config.IchConfig;
import org.ichtriage.dicom.codec.DicomException;
import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.DicomReader;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.inference.ModelException;
import org.ichtriage.inference.SegmentationModel;
import org.ichtriage.analysis.CompletionReason;
import org.ichtriage.analysis.ReceivedInstance;
import org.ichtriage.analysis.SeriesBatch;
import org.ichtriage.analysis.DerivedObjectWriter;
import org.ichtriage.analysis.SeriesOutcome;
import org.ichtriage.analysis.TriageAnalyzer;
import org.ichtriage.events.EventJson;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import org.ichtriage.service.WorkerAssembly;
import org.ichtriage.UserError;

@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = {"Analyse a folder of DICOM files without Kafka: the same assembly checks, preprocessing, model and",
                "postprocessing as the worker. Writes OUT/result.json (schema ich-result.v1), OUT/seg.dcm and the key images,",
                "or OUT/deadletter.json with the reason the series was refused. One subfolder per series when there are several."},
        footer = {"", "Examples:", "  ich-triage analyze ct-head-ge-tilt/ --out /tmp/ge",
                "  ich-triage analyze study/ --out out/ --set model.path=models/other.onnx"})
final class AnalyzeCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions options;

    @Parameters(index = "0", paramLabel = "DIR", description = "folder with the DICOM files of one or more series (searched recursively)")
    Path dir;

    @Option(names = "--out", required = true, paramLabel = "OUT", description = "output folder (created)")
    Path out;

    @Override
    public Integer call() throws Exception {
        IchConfig config = options.load(Map.of());
        if (!Files.isDirectory(dir)) {
            throw new UserError(dir + " is not a folder");
        }
        Map<String, List<ReceivedInstance>> bySeries = new LinkedHashMap<>();
        int skipped = 0;
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            byte[] bytes = Files.readAllBytes(f);
            try {
                DicomObject ds = DicomReader.readPart10(bytes, DicomLimits.DEFAULT).dataset();
                String series = ds.getString(Tag.SeriesInstanceUID);
                String sop = ds.getString(Tag.SOPInstanceUID);
                if (series == null || sop == null) {
                    throw new DicomException("no SeriesInstanceUID or SOPInstanceUID");
                }
                // "received" is when analyze read the file, so last_receive_to_result is the analysis
                // latency as in the worker, not the age of the file
                bySeries.computeIfAbsent(series, k -> new ArrayList<>())
                        .add(new ReceivedInstance(sop, -1, -1, System.currentTimeMillis(), bytes));
            } catch (DicomException e) {
                System.err.println("ich-triage: skipping " + f + ": " + e.getMessage());
                skipped++;
            }
        }
        if (bySeries.isEmpty()) {
            throw new UserError("no readable DICOM instance in " + dir + (skipped > 0 ? " (" + skipped + " files skipped)" : ""));
        }
        SegmentationModel model;
        try {
            model = WorkerAssembly.openModel(config);
        } catch (ModelException e) {
            throw new UserError("model.path: " + e.getMessage());
        }
        Files.createDirectories(out);
        Path keyFile = config.stateDir().resolve(org.ichtriage.analysis.PatientKey.KEY_FILE).toAbsolutePath();
        boolean keyExisted = Files.exists(keyFile);
        try (TriageAnalyzer analyzer = WorkerAssembly.analyzer(config, model, List.of())) {
            System.err.println(patientKeyNote(!config.results().patientKeySecret().isEmpty(), keyFile, keyExisted));
            for (var e : bySeries.entrySet()) {
                Path target = bySeries.size() == 1 ? out : out.resolve(org.ichtriage.dicom.codec.Uids.sanitizeForFileName(e.getKey()));
                Files.createDirectories(target);
                List<SeriesOutcome> outcomes = analyzer.analyze(new SeriesBatch(e.getKey(), 1, CompletionReason.ANALYZE, e.getValue(),
                        "file:" + dir.toAbsolutePath()));
                int n = 0;
                for (SeriesOutcome o : outcomes) {
                    Path t = outcomes.size() == 1 ? target : target.resolve("stack-" + (++n));
                    Files.createDirectories(t);
                    write(o, t);
                }
            }
        }
        return 0;
    }

    /**
     * Where the patient_key of the results came from, so nobody compares keys that cannot match: the
     * service's keys equal these only with the same secret, or the same key file.
     */
    static String patientKeyNote(boolean secretConfigured, Path keyFile, boolean keyFileExisted) {
        if (secretConfigured) {
            return "ich-triage: patient_key from results.patient-key-secret (matches a service given the same secret)";
        }
        if (keyFileExisted) {
            return "ich-triage: patient_key from " + keyFile + " (matches a service whose state.dir holds this file)";
        }
        return "ich-triage: patient_key from a NEW key created now in " + keyFile + ": it is local and will not match the "
                + "service's; run with the service's config (ich-triage.properties, ICH_CONFIG, --state-dir) or set results.patient-key-secret";
    }

    private static void write(SeriesOutcome o, Path t) throws IOException {
        if (o instanceof SeriesOutcome.Analyzed a) {
            Files.write(t.resolve("result.json"), EventJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(a.event()));
            if (a.seg().isPresent()) {
                Files.write(t.resolve("seg.dcm"), a.seg().get().part10());
            }
            for (int i = 0; i < a.keyImages().size(); i++) {
                Files.write(t.resolve("key-image-" + (i + 1) + ".dcm"), a.keyImages().get(i).part10());
            }
            InspectCommand.writePngs(a.keyImages().stream().map(DerivedObjectWriter.Built::part10).toList(), t);
            System.out.println(EventJson.MAPPER.writeValueAsString(a.event()));
            System.err.printf("ich-triage: %s: volume %.2f mL (%.2f-%.2f), ich_detected=%s; wrote %s%n", a.event().seriesInstanceUid(),
                    a.event().volume().ml(), a.event().volume().intervalMl().low(), a.event().volume().intervalMl().high(),
                    a.event().flags().ichDetected(), t);
        } else if (o instanceof SeriesOutcome.Refused r) {
            Files.write(t.resolve("deadletter.json"), EventJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(r.deadLetter()));
            System.out.println(EventJson.MAPPER.writeValueAsString(r.deadLetter()));
            System.err.println("ich-triage: " + r.deadLetter().seriesInstanceUid() + " refused: " + r.deadLetter().reason() + ": "
                    + r.deadLetter().detail());
        } else if (o instanceof SeriesOutcome.Skipped k) {
            Files.write(t.resolve("skipped.json"), EventJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(k.skipped()));
            System.out.println(EventJson.MAPPER.writeValueAsString(k.skipped()));
            System.err.println("ich-triage: " + k.skipped().seriesInstanceUid() + " skipped, not a series the model reads: "
                    + k.skipped().reason() + ": " + k.skipped().detail() + " (selection.* settings)");
        }
    }
}
