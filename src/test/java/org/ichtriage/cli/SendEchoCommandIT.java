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
