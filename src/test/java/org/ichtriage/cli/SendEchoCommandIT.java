package org.ichtriage.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.ichtriage.dicom.codec.TransferSyntax;
import org.ichtriage.dicom.net.Dcmtk;
import org.ichtriage.dicom.net.DicomServer;
import org.ichtriage.dicom.net.ScpConfig;
import org.ichtriage.dicom.net.StoreStatus;
import org.ichtriage.phantom.SyntheticCtSeries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import org.ichtriage.UserError;

class SendEchoCommandIT {
    @TempDir
    Path tmp;

    private static int run(Object cmd, StringWriter err, String... args) {
        CommandLine cl = new CommandLine(cmd);
        cl.setErr(new PrintWriter(err, true));
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof UserError) {
                c.getErr().println("ich-triage: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl.execute(args);
    }

    @Test
    void sendDeliversFilesUnchangedAndCountsFailures() throws Exception {
        Map<String, byte[]> got = new ConcurrentHashMap<>();
        List<Path> files = SyntheticCtSeries.write(tmp.resolve("s"), 5, 64, TransferSyntax.EXPLICIT_VR_LE, 3);
        List<Path> implicit = SyntheticCtSeries.write(tmp.resolve("s/implicit"), 2, 32, TransferSyntax.IMPLICIT_VR_LE, 4);
        // An exported folder: images plus a README and a licence, which are skipped, not failures.
        Files.writeString(tmp.resolve("s/README"), "exported by the PACS");
        Files.writeString(tmp.resolve("s/LICENSE.txt"), "CC-BY 4.0");
        try (DicomServer server = DicomServer.start(ScpConfig.defaults().withPort(0), req -> {
            got.put(req.sopInstanceUid(), req.datasetBytes());
            return StoreStatus.OK;
        })) {
            StringWriter err = new StringWriter();
            String out = stdoutOf(() -> assertEquals(0, run(new SendCommand(), err, tmp.resolve("s").toString(), "--port",
                    Integer.toString(server.port())), "non-DICOM files beside the images must not fail the send"));
            assertTrue(out.contains("sent 7 of 7 DICOM files") && out.contains("2 files skipped, not DICOM"), out);
            assertEquals(7, got.size());
            // A DICOM file cut short is broken, not foreign: it still fails the send.
            byte[] whole = Files.readAllBytes(files.get(0));
            Files.write(tmp.resolve("s/truncated.dcm"), java.util.Arrays.copyOf(whole, 200));
            got.clear();
            out = stdoutOf(() -> assertEquals(1, run(new SendCommand(), err, tmp.resolve("s").toString(), "--port",
                    Integer.toString(server.port())), "a broken DICOM file must make the exit status non-zero"));
            assertTrue(out.contains("sent 7 of 8 DICOM files") && out.contains("(1 failed; 2 files skipped"), out);
            assertEquals(7, got.size());
            for (Path f : List.of(files.get(0), files.get(4), implicit.get(1))) {
                byte[] ds = Dcmtk.datasetOf(Files.readAllBytes(f));
                assertTrue(got.values().stream().anyMatch(v -> java.util.Arrays.equals(v, ds)), f.toString());
            }
            StringWriter e2 = new StringWriter();
            assertEquals(0, run(new EchoCommand(), e2, "--port", Integer.toString(server.port())));
            assertEquals(2, run(new EchoCommand(), e2, "--port", Integer.toString(server.port()), "--aet", "WRONG"));
            assertTrue(e2.toString().contains("called-AE-title-not-recognized"), e2.toString());
            assertEquals(0, run(new SendCommand(), err, files.get(0).toString(), "--port", Integer.toString(server.port())));
            assertArrayEquals(Dcmtk.datasetOf(Files.readAllBytes(files.get(0))),
                    got.values().stream().filter(v -> java.util.Arrays.equals(v, Dcmtk.datasetOf(readQuiet(files.get(0))))).findFirst().orElseThrow());
        }
        StringWriter err = new StringWriter();
        assertEquals(2, run(new EchoCommand(), err, "--port", "1"));
        assertTrue(err.toString().startsWith("ich-triage: C-ECHO to ICHTRIAGE@127.0.0.1:1 failed"), err.toString());
    }

    @Test
    void sendOffersACompressedFileItsOwnSyntaxAndSendsItUnchanged() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/dcmcrle"))
                && Files.isExecutable(Path.of("/usr/bin/dcmcjpeg")), "dcmtk's dcmcrle/dcmcjpeg are not installed");
        List<Path> src = SyntheticCtSeries.write(tmp.resolve("src"), 2, 64, TransferSyntax.EXPLICIT_VR_LE, 5);
        Path dir = Files.createDirectories(tmp.resolve("compressed"));
        Path rle = dir.resolve("rle.dcm");
        Path jpeg = dir.resolve("jpeg.dcm");
        assertEquals(0, Dcmtk.run(60, List.of("dcmcrle", src.get(0).toString(), rle.toString())).exitCode());
        assertEquals(0, Dcmtk.run(60, List.of("dcmcjpeg", "+e1", src.get(1).toString(), jpeg.toString())).exitCode());
        Map<String, String> syntaxes = new ConcurrentHashMap<>();
        Map<String, byte[]> got = new ConcurrentHashMap<>();
        try (DicomServer server = DicomServer.start(ScpConfig.defaults().withPort(0), req -> {
            syntaxes.put(req.sopInstanceUid(), req.transferSyntaxUid());
            got.put(req.transferSyntaxUid(), req.datasetBytes());
            return StoreStatus.OK;
        })) {
            StringWriter err = new StringWriter();
            assertEquals(0, run(new SendCommand(), err, dir.toString(), "--port", Integer.toString(server.port())), err.toString());
            assertEquals(java.util.Set.of(TransferSyntax.RLE_LOSSLESS, TransferSyntax.JPEG_LOSSLESS_SV1),
                    java.util.Set.copyOf(syntaxes.values()));
            assertArrayEquals(Dcmtk.datasetOf(Files.readAllBytes(rle)), got.get(TransferSyntax.RLE_LOSSLESS));
            assertArrayEquals(Dcmtk.datasetOf(Files.readAllBytes(jpeg)), got.get(TransferSyntax.JPEG_LOSSLESS_SV1));
        }
    }

    @Test
    void sendDecompressesOnlyForAPeerThatRefusesTheCompressedSyntax() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/dcmcrle"))
                && Files.isExecutable(Path.of("/usr/bin/dcmcjpeg")) && Files.isExecutable(Path.of("/usr/bin/storescp")),
                "dcmtk's dcmcrle/dcmcjpeg/storescp are not installed");
        List<Path> src = SyntheticCtSeries.write(tmp.resolve("src2"), 2, 64, TransferSyntax.EXPLICIT_VR_LE, 6);
        Path dir = Files.createDirectories(tmp.resolve("compressed2"));
        assertEquals(0, Dcmtk.run(60, List.of("dcmcrle", src.get(0).toString(), dir.resolve("rle.dcm").toString())).exitCode());
        assertEquals(0, Dcmtk.run(60, List.of("dcmcjpeg", "+e1", src.get(1).toString(), dir.resolve("jpeg.dcm").toString()))
                .exitCode());
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Path out = Files.createDirectories(tmp.resolve("storescp"));
        // storescp's default accepts only the uncompressed syntaxes
        Process scp = new ProcessBuilder("storescp", "-aet", "ICHTRIAGE", "-od", out.toString(), Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(tmp.resolve("storescp.log").toFile()).start();
        try {
            long deadline = System.currentTimeMillis() + 10_000;
            while (Dcmtk.echoscu(port, "ICHTRIAGE").exitCode() != 0) {
                assertTrue(System.currentTimeMillis() < deadline && scp.isAlive(), "storescp did not start");
                Thread.sleep(100);
            }
            StringWriter err = new StringWriter();
            java.io.PrintStream oldErr = System.err;
            java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
            int rc;
            System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
            try {
                rc = run(new SendCommand(), err, dir.toString(), "--port", Integer.toString(port));
            } finally {
                System.setErr(oldErr);
            }
            String said = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(0, rc, said + err);
            assertTrue(said.contains("decompressed") && said.contains(TransferSyntax.RLE_LOSSLESS)
                    && said.contains(TransferSyntax.JPEG_LOSSLESS_SV1), said);
            List<Path> stored;
            try (var s = Files.list(out)) {
                stored = s.sorted().toList();
            }
            assertEquals(2, stored.size(), "files stored by storescp: " + stored);
            for (Path f : stored) {
                var got = org.ichtriage.dicom.codec.DicomReader.readPart10(Files.readAllBytes(f),
                        org.ichtriage.dicom.codec.DicomLimits.DEFAULT);
                assertEquals(TransferSyntax.EXPLICIT_VR_LE, got.transferSyntaxUid());
                String sop = got.dataset().getString(org.ichtriage.dicom.codec.Tag.SOPInstanceUID);
                Path source = src.stream().filter(p -> sop.equals(sopOf(p))).findFirst().orElseThrow();
                assertArrayEquals(org.ichtriage.dicom.codec.DicomReader.readPart10(Files.readAllBytes(source),
                                org.ichtriage.dicom.codec.DicomLimits.DEFAULT).dataset().getBytes(org.ichtriage.dicom.codec.Tag.PixelData),
                        got.dataset().getBytes(org.ichtriage.dicom.codec.Tag.PixelData), "pixels of " + sop);
            }
        } finally {
            scp.destroy();
            scp.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private static String sopOf(Path p) {
        try {
            return org.ichtriage.dicom.codec.DicomReader.readPart10(Files.readAllBytes(p), org.ichtriage.dicom.codec.DicomLimits.DEFAULT)
                    .dataset().getString(org.ichtriage.dicom.codec.Tag.SOPInstanceUID);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** What the command printed on stdout while {@code body} ran (the commands print their summary there). */
    static String stdoutOf(Runnable body) {
        java.io.PrintStream saved = System.out;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setOut(saved);
        }
        return buf.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void aFolderOfOnlyNonDicomFilesIsOneLineAndExitTwo() throws Exception {
        Files.createDirectories(tmp.resolve("docs"));
        Files.writeString(tmp.resolve("docs/README"), "no images here");
        StringWriter err = new StringWriter();
        assertEquals(2, run(new SendCommand(), err, tmp.resolve("docs").toString(), "--port", "1"));
        assertTrue(err.toString().startsWith("ich-triage: no DICOM files in"), err.toString());
    }

    private static byte[] readQuiet(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void helpShowsAnExample() {
        for (Object cmd : List.of(new SendCommand(), new EchoCommand())) {
            String usage = new CommandLine(cmd).getUsageMessage();
            assertTrue(usage.contains("Example:") && usage.contains("--port 11112"), usage);
        }
    }
}
