package org.ichtriage.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.DicomReader;
import org.ichtriage.dicom.codec.Part10File;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.phantom.CtSeriesWriter;
import org.ichtriage.phantom.HeadPhantom;
import org.ichtriage.phantom.Phantom;
import org.ichtriage.phantom.PhantomSpec;
import org.ichtriage.events.DeadLetter;
import org.ichtriage.events.EventJson;
import org.ichtriage.events.EventSchemas;
import org.ichtriage.events.ResultEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `ich-triage analyze` with the shipped model on files, no Kafka: what a person uses to reproduce an event. */
class AnalyzeCommandIT {
    private static final String SEG_STORAGE = "1.2.840.10008.5.1.4.1.1.66.4";

    @TempDir
    Path tmp;

    private static Path writeSeries(Path dir, List<byte[]> instances) throws Exception {
        Files.createDirectories(dir);
        for (int i = 0; i < instances.size(); i++) {
            Path f = dir.resolve(String.format("CT%04d.dcm", i + 1));
            Files.write(f, instances.get(i));
            // files copied from an archive are old; their age is not the analysis latency
            Files.setLastModifiedTime(f, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        }
        return dir;
    }

    @Test
    void phantomWithHemorrhageGivesAValidEventSegAndKeyImages() throws Exception {
        Phantom phantom = HeadPhantom.generate(PhantomSpec.withHemorrhage(11));
        var id = CtSeriesWriter.StudyIdentity.random("ANALYZE");
        Path in = writeSeries(tmp.resolve("in"), phantom.toDicom(id, false));
        Path out = tmp.resolve("out");

        assertEquals(0, Main.execute("analyze", in.toString(), "--out", out.toString()));

        String json = Files.readString(out.resolve("result.json"));
        assertEquals(List.of(), EventSchemas.resultViolations(json));
        ResultEvent e = EventJson.fromBytes(json.getBytes(StandardCharsets.UTF_8), ResultEvent.class);
        assertEquals(id.seriesInstanceUid(), e.seriesInstanceUid());
        assertEquals(phantom.huSlices().size(), e.provenance().instanceCount());
        assertEquals("ANALYZE", e.provenance().completionReason());
        double truth = phantom.truthVolumeMl();
        assertTrue(Math.abs(e.volume().ml() - truth) <= 0.15 * truth, "volume " + e.volume().ml() + " mL vs truth " + truth);
        assertTrue(e.timingsMs().lastReceiveToResult() >= e.timingsMs().total(), "latency counts from reading the files");
        assertTrue(e.timingsMs().lastReceiveToResult() < 600_000, "not the age of the files: " + e.timingsMs().lastReceiveToResult());

        Part10File seg = DicomReader.readPart10(Files.readAllBytes(out.resolve("seg.dcm")), DicomLimits.DEFAULT);
        assertEquals(SEG_STORAGE, seg.dataset().getString(Tag.SOPClassUID));
        assertEquals(e.seg().sopInstanceUid(), seg.dataset().getString(Tag.SOPInstanceUID));
        assertEquals(id.studyInstanceUid(), seg.dataset().getString(Tag.StudyInstanceUID));
        for (int i = 1; i <= e.keyImageSopInstanceUids().size(); i++) {
            assertTrue(Files.size(out.resolve("key-image-" + i + ".png")) > 0, "key image PNG " + i);
        }
    }

    @Test
    void tooFewSlicesGiveADeadLetterFileWithTheReason() throws Exception {
        Phantom phantom = HeadPhantom.generate(PhantomSpec.withHemorrhage(11));
        var id = CtSeriesWriter.StudyIdentity.random("ANALYZE2");
        Path in = writeSeries(tmp.resolve("two"), phantom.toDicom(id, false).subList(0, 2));
        Path out = tmp.resolve("out2");

        assertEquals(0, Main.execute("analyze", in.toString(), "--out", out.toString()));

        String json = Files.readString(out.resolve("deadletter.json"));
        assertEquals(List.of(), EventSchemas.deadLetterViolations(json));
        assertEquals("TOO_FEW_SLICES", EventJson.fromBytes(json.getBytes(StandardCharsets.UTF_8), DeadLetter.class).reason());
        assertTrue(Files.notExists(out.resolve("result.json")));
    }

    @Test
    void aFolderWithoutDicomIsOneLineAndExitTwo() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(in.resolve("notes.txt"), "not DICOM");
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            rc = Main.execute("analyze", in.toString(), "--out", tmp.resolve("out3").toString());
        } finally {
            System.setErr(saved);
        }
        assertEquals(2, rc);
        String lines = err.toString(StandardCharsets.UTF_8);
        assertTrue(lines.contains("ich-triage: no readable DICOM instance in " + in), lines);
        assertTrue(lines.lines().noneMatch(l -> l.startsWith("\tat ")), "no stack trace: " + lines);
    }
}
