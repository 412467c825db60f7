package org.ichtriage.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.ichtriage.Topics;
import org.ichtriage.config.IchConfig;
import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.DicomReader;
import org.ichtriage.dicom.codec.DicomWriter;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.dicom.codec.Uids;
import org.ichtriage.dicom.codec.VR;
import org.ichtriage.dicom.net.Dcmtk;
import org.ichtriage.events.EventJson;
import org.ichtriage.events.EventSchemas;
import org.ichtriage.events.SkippedSeries;
import org.ichtriage.events.StudyVerdict;
import org.ichtriage.kafka.TopicReader;
import org.ichtriage.phantom.CtSeriesWriter;
import org.ichtriage.phantom.HeadPhantom;
import org.ichtriage.phantom.Phantom;
import org.ichtriage.phantom.PhantomSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A head CT study as a scanner sends it (a soft-tissue axial series, a bone-kernel series, a sagittal
 * reformat, a scout) and a chest CT of the same patient on the same port: one study verdict for the
 * head study, from its soft-tissue series; every other series skipped with its reason; nothing for the chest.
 */
class StudyTriageIT {
    static final String TINY_MODEL = Path.of("target/test-classes/models/test-tiny.onnx").toAbsolutePath().toString();

    @TempDir
    Path tmp;

    @Test
    void oneVerdictForTheHeadStudyAndEveryOtherSeriesSkippedWithItsReason() throws Exception {
        assumeTrue(Dcmtk.available(), "dcmtk storescu is not installed (make test installs it)");
        IchConfig config = IchConfig.load(null, Map.of(), Map.of("state.dir", tmp.resolve("state").toString(),
                "kafka.embedded.port", "0", "http.port", "0", "dicom.port", "0", "model.path", TINY_MODEL));
        Phantom phantom = HeadPhantom.generate(PhantomSpec.withHemorrhage(31));
        String study = Uids.newUid();
        String chestStudy = Uids.newUid();
        Map<String, String> expectedSkips = new TreeMap<>();
        try (IchTriageService service = new IchTriageService(config).start()) {
            String softTissue = send(service, "soft", phantom, study, ds -> { }, phantom.huSlices().size());
            expectedSkips.put(send(service, "bone", phantom, study, ds -> {
                ds.putString(Tag.ConvolutionKernel, VR.SH, "BONE");
                ds.putString(Tag.SeriesDescription, VR.LO, "AXIAL 5 MM BONE");
            }, phantom.huSlices().size()), "SHARP_KERNEL");
            expectedSkips.put(send(service, "sagittal", phantom, study, ds ->
                    ds.putString(Tag.ImageOrientationPatient, VR.DS, "0", "1", "0", "0", "0", "-1"), phantom.huSlices().size()), "NOT_AXIAL");
            expectedSkips.put(send(service, "scout", phantom, study, ds ->
                    ds.putString(Tag.ImageType, VR.CS, "ORIGINAL", "PRIMARY", "LOCALIZER"), 2), "LOCALIZER");
            expectedSkips.put(send(service, "chest", phantom, chestStudy, ds -> {
                ds.putString(Tag.StudyDescription, VR.LO, "CT CHEST WITHOUT CONTRAST");
                ds.putString(Tag.BodyPartExamined, VR.CS, "CHEST");
            }, phantom.huSlices().size()), "NOT_HEAD");

            List<SkippedSeries> skipped = awaitRecords(service, Topics.SKIPPED, expectedSkips.size(), SkippedSeries.class);
            Map<String, String> skips = new TreeMap<>();
            for (SkippedSeries k : skipped) {
                skips.put(k.seriesInstanceUid(), k.reason());
            }
            assertEquals(expectedSkips, skips, "each series skipped for its own reason");
            for (SkippedSeries k : skipped) {
                System.out.printf("study-it: %s skipped %s: %s%n", k.seriesInstanceUid(), k.reason(), k.detail());
            }

            List<StudyVerdict> verdicts = awaitRecords(service, Topics.STUDY_RESULTS, 1, StudyVerdict.class);
            StudyVerdict v = verdicts.get(0);
            System.out.println("study-it: ich.study-results.v1 " + EventJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(v));
            assertEquals(study, v.studyInstanceUid());
            assertEquals(1, v.revision());
            assertEquals(softTissue, v.decidingSeries().seriesInstanceUid());
            assertEquals(List.of(softTissue), v.series().stream().map(StudyVerdict.SeriesFinding::seriesInstanceUid).toList());
            try (TopicReader reader = new TopicReader(service.kafka())) {
                assertEquals(1, reader.readAll(Topics.RESULTS, r -> true).size(), "one series result: the soft-tissue series");
                assertEquals(List.of(), reader.readAll(Topics.STUDY_RESULTS, r -> chestStudy.equals(r.key())), "no head verdict for a chest CT");
                assertEquals(1, reader.readAll(Topics.STUDY_RESULTS, r -> true).size(), "exactly one verdict");
            }
        }
    }

    /** Sends the phantom as a new series of the study, edited; returns its Series Instance UID. */
    private String send(IchTriageService service, String name, Phantom phantom, String study, Consumer<DicomObject> edit, int slices)
            throws Exception {
        var id = new CtSeriesWriter.StudyIdentity("STUDY-IT", "STUDY^IT", study, Uids.newUid(), Uids.newUid(), "ACC" + name.length(),
                LocalDateTime.now());
        Path dir = Files.createDirectories(tmp.resolve(name));
        List<Path> files = new ArrayList<>();
        List<byte[]> instances = phantom.toDicom(id, false).subList(0, slices);
        for (int i = 0; i < instances.size(); i++) {
            var f = DicomReader.readPart10(instances.get(i), DicomLimits.DEFAULT);
            f.dataset().putString(Tag.ImagesInAcquisition, VR.IS, Integer.toString(slices));
            edit.accept(f.dataset());
            Path file = dir.resolve(i + ".dcm");
            Files.write(file, DicomWriter.writePart10(f.dataset(), CtSeriesWriter.CT_IMAGE_STORAGE,
                    f.dataset().getString(Tag.SOPInstanceUID), f.transferSyntaxUid()));
            files.add(file);
        }
        Dcmtk.Result sent = Dcmtk.storescu(service.dicomPort(), "ICHTRIAGE", files);
        assertEquals(0, sent.exitCode(), sent.output());
        return id.seriesInstanceUid();
    }

    private static <T> List<T> awaitRecords(IchTriageService service, String topic, int count, Class<T> type) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        List<ConsumerRecord<String, byte[]>> records = List.of();
        while (System.currentTimeMillis() < deadline) {
            try (TopicReader reader = new TopicReader(service.kafka())) {
                records = reader.readAll(topic, r -> true);
            }
            if (records.size() >= count) {
                break;
            }
            Thread.sleep(500);
        }
        assertEquals(count, records.size(), topic + " records");
        List<T> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            String json = new String(r.value(), StandardCharsets.UTF_8);
            assertEquals(List.of(), topic.equals(Topics.SKIPPED) ? EventSchemas.skippedViolations(json)
                    : EventSchemas.studyVerdictViolations(json), json);
            out.add(EventJson.fromBytes(r.value(), type));
        }
        return out;
    }
}
