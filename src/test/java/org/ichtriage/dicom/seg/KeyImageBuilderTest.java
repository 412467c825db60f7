package org.ichtriage.dicom.seg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.DicomReader;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.render.KeyImagePngs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyImageBuilderTest {
    static final String VOLUME = "ICH VOLUME 23.4 ML (19.8-27.1)";
    static final String FLAGS = "FLAGS: LARGE_VOLUME UNCERTAIN";

    @TempDir
    Path tmp;

    static KeyImageDescription describe(SourceSeries src, List<short[]> hu, List<boolean[]> masks) {
        return new KeyImageDescription(src, hu, masks, VOLUME, FLAGS, WindowSetting.BRAIN,
                "ICH key images (not for diagnostic use)", 902, "ich-triage", "ich-triage worker", "0.1.0",
                Instant.parse("2026-11-27T08:00:00Z"), DerivedUids.random());
    }

    @Test
    void phantomKeyImagesPassDciodvfyAndShowTheOutlineOnTheLesion() throws Exception {
        Phantom ph = new Phantom();
        SourceSeries src = SourceSeries.fromDatasets(ph.datasets);
        KeyImageDescription d = describe(src, ph.hu, ph.masks);
        List<RenderedKeyImage> rendered = KeyImageRenderer.render(d);
        // Lesion radii 14, 17, 17, 14 px on slices 5..8: the two large ones and the first of the tied small ones.
        assertEquals(List.of(5, 6, 7), rendered.stream().map(RenderedKeyImage::sliceIndex).toList());
        List<BuiltObject> built = KeyImageBuilder.build(d, rendered);
        assertEquals(3, built.size());
        assertEquals(1, built.stream().map(BuiltObject::seriesInstanceUid).distinct().count());

        int k = KeyImageRenderer.scaleFor(Phantom.SIZE, Phantom.SIZE);
        assertEquals(4, k);
        for (int i = 0; i < built.size(); i++) {
            BuiltObject b = built.get(i);
            RenderedKeyImage r = rendered.get(i);
            Path file = Judges.write(tmp, "key-" + i + ".dcm", b.part10());
            dciodvfyClean(file);
            if (Files.isExecutable(Judges.DCMDUMP)) {
                String dump = Judges.run(Judges.DCMDUMP, file.toString());
                assertTrue(dump.contains("=SecondaryCaptureImageStorage"), dump);
                assertTrue(dump.contains("(0028,0301) CS [YES]"), dump);
                assertTrue(dump.contains("(0028,0004) CS [RGB]"), dump);
            }
            DicomObject ds = DicomReader.readPart10(b.part10(), DicomLimits.DEFAULT).dataset();
            assertEquals(src.patientStudyAttributes().getString(Tag.StudyInstanceUID), ds.getString(Tag.StudyInstanceUID));
            assertNotEquals(src.seriesInstanceUid(), ds.getString(Tag.SeriesInstanceUID));
            assertEquals(src.images().get(r.sliceIndex()).sopInstanceUid(), ds.getSequence(Tag.SourceImageSequence)
                    .get(0).getString(Tag.ReferencedSOPInstanceUID));
            assertEquals(512, ds.getInt(Tag.Rows, -1));
            assertArrayEquals(r.image().rgb(), ds.getBytes(Tag.PixelData));
            checkOutline(r.image(), ph.masks.get(r.sliceIndex()), Phantom.SIZE, k);
            checkText(r.image());
            // Read the burned-in lines back glyph by glyph at their layout positions (scale 2 on 512 pixels).
            assertEquals(VOLUME, readText(r.image(), 4, 4, 2, VOLUME.length()));
            assertEquals(FLAGS, readText(r.image(), 4, 4 + 20, 2, FLAGS.length()));
            assertEquals(KeyImageRenderer.NOT_FOR_DIAGNOSTIC_USE, readText(r.image(), 4, 512 - 4 - 20 + 6, 2,
                    KeyImageRenderer.NOT_FOR_DIAGNOSTIC_USE.length()));
        }

        // The same pictures as PNG, decoded by an independent reader, pixel for pixel.
        List<KeyImagePngs.NamedPng> pngs = KeyImagePngs.encode(rendered);
        Path outDir = Path.of("target", "key-images");
        Files.createDirectories(outDir);
        for (int i = 0; i < pngs.size(); i++) {
            byte[] png = pngs.get(i).png();
            Files.write(outDir.resolve("phantom-" + pngs.get(i).fileName()), png);
            BufferedImage bi = ImageIO.read(new ByteArrayInputStream(png));
            RgbImage img = rendered.get(i).image();
            assertEquals(img.width(), bi.getWidth());
            assertEquals(img.height(), bi.getHeight());
            for (int y = 0; y < img.height(); y++) {
                for (int x = 0; x < img.width(); x++) {
                    assertEquals(img.get(x, y), bi.getRGB(x, y) & 0xFFFFFF, "pixel " + x + "," + y);
                }
            }
        }
    }

    @Test
    void realTiltedGeSeriesKeyImagesPassDciodvfy() throws Exception {
        List<DicomObject> datasets = org.ichtriage.testing.SharedData.geTiltedDatasets();
        List<short[]> hu = new ArrayList<>();
        List<boolean[]> masks = new ArrayList<>();
        for (int z = 0; z < datasets.size(); z++) {
            DicomObject ds = datasets.get(z);
            double slope = ds.getDoubles(Tag.RescaleSlope)[0];
            double intercept = ds.getDoubles(Tag.RescaleIntercept)[0];
            ByteBuffer px = ds.getByteBuffer(Tag.PixelData).order(ByteOrder.LITTLE_ENDIAN);
            short[] s = new short[512 * 512];
            boolean[] m = new boolean[512 * 512];
            for (int i = 0; i < s.length; i++) {
                s[i] = (short) Math.round(px.getShort(i * 2) * slope + intercept);
                int x = i % 512;
                int y = i / 512;
                m[i] = z >= 12 && z <= 16 && (x - 300) * (x - 300) + (y - 220) * (y - 220) < (20 + 4 * z) * (20 + 4 * z) / 4;
            }
            hu.add(s);
            masks.add(m);
        }
        KeyImageDescription d = describe(SourceSeries.fromDatasets(datasets), hu, masks);
        List<RenderedKeyImage> rendered = KeyImageRenderer.render(d);
        assertEquals(List.of(14, 15, 16), rendered.stream().map(RenderedKeyImage::sliceIndex).toList());
        List<BuiltObject> built = KeyImageBuilder.build(d, rendered);
        for (int i = 0; i < built.size(); i++) {
            dciodvfyClean(Judges.write(tmp, "ge-key-" + i + ".dcm", built.get(i).part10()));
            checkOutline(rendered.get(i).image(), masks.get(rendered.get(i).sliceIndex()), 512, 1);
        }
        Path outDir = Path.of("target", "key-images");
        Files.createDirectories(outDir);
        for (KeyImagePngs.NamedPng p : KeyImagePngs.encode(rendered)) {
            Files.write(outDir.resolve("ge-" + p.fileName()), p.png());
        }
    }

    @Test
    void noLesionMeansNoKeyImages() {
        Phantom ph = new Phantom();
        List<boolean[]> empty = ph.masks.stream().map(m -> new boolean[m.length]).toList();
        KeyImageDescription d = describe(SourceSeries.fromDatasets(ph.datasets), ph.hu, empty);
        assertTrue(KeyImageBuilder.build(d).isEmpty());
        assertTrue(KeyImagePngs.render(d).isEmpty());
    }

    @Test
    void fontCoversTheBurnedInTextWithDistinctGlyphs() {
        for (char c : (VOLUME + FLAGS + KeyImageRenderer.NOT_FOR_DIAGNOSTIC_USE + "0123456789%").toCharArray()) {
            assertTrue(BitmapFont.covers(c), "no glyph for '" + c + "'");
        }
        String all = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.:%-/()_+,=?<>";
        for (int i = 0; i < all.length(); i++) {
            for (int j = i + 1; j < all.length(); j++) {
                assertNotEquals(List.of(BitmapFont.glyph(all.charAt(i))), List.of(BitmapFont.glyph(all.charAt(j))),
                        all.charAt(i) + " and " + all.charAt(j) + " look the same");
                assertTrue(!java.util.Arrays.equals(BitmapFont.glyph(all.charAt(i)), BitmapFont.glyph(all.charAt(j))),
                        all.charAt(i) + " and " + all.charAt(j) + " look the same");
            }
        }
    }

    @Test
    void longLinesWrapAtSpaces() {
        List<String> lines = KeyImageRenderer.wrap("AAAA BBBB CCCC", BitmapFont.width("AAAA BBBB", 1), 1);
        assertEquals(List.of("AAAA BBBB", "CCCC"), lines);
    }

    @Test
    void flagsWrapBetweenPhrasesNotInsideThem() {
        String flags = "ICH DETECTED / HIGH UNCERTAINTY / NEEDS REVIEW";
        int width = BitmapFont.width("ICH DETECTED / HIGH UNCERTAINTY / NEEDS", 1);
        assertEquals(List.of("ICH DETECTED / HIGH UNCERTAINTY /", "NEEDS REVIEW"), KeyImageRenderer.wrap(flags, width, 1));
        // a phrase wider than the line still breaks at its spaces
        assertEquals(List.of("ICH", "DETECTED /", "HIGH", "UNCERTAINTY"),
                KeyImageRenderer.wrap("ICH DETECTED / HIGH UNCERTAINTY", BitmapFont.width("UNCERTAINTY", 1), 1));
    }

    private static void dciodvfyClean(Path file) throws Exception {
        if (!Files.isExecutable(Judges.DCIODVFY)) {
            System.err.println("dciodvfy not installed (Debian dicom3tools): IOD check of " + file + " not run");
            return;
        }
        String out = Judges.run(Judges.DCIODVFY, file.toString());
        System.out.println("dciodvfy " + file.getFileName() + ":\n" + out);
        assertTrue(Judges.lines(out, "Error").isEmpty(), "dciodvfy reported errors:\n" + out);
    }

    /**
     * Every red pixel lies within the outline width of the (enlarged) lesion and outside it; every lesion pixel on
     * the lesion's border has a red pixel next to it. Lesion pixels themselves keep their grey.
     */
    private static void checkOutline(RgbImage img, boolean[] mask, int cols, int k) {
        int red = 0;
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                boolean in = mask[(y / k) * cols + x / k];
                boolean isRed = img.get(x, y) == KeyImageRenderer.OUTLINE_RGB;
                if (isRed) {
                    red++;
                    assertTrue(!in, "outline drawn over the lesion at " + x + "," + y);
                    assertTrue(near(mask, cols, k, img, x, y, KeyImageRenderer.OUTLINE_WIDTH),
                            "outline pixel far from the lesion at " + x + "," + y);
                }
                if (in && x + 1 < img.width() && !mask[(y / k) * cols + (x + 1) / k]) {
                    assertEquals(KeyImageRenderer.OUTLINE_RGB, img.get(x + 1, y) & 0xFFFFFF | 0,
                            "border of the lesion not outlined at " + (x + 1) + "," + y);
                }
            }
        }
        assertTrue(red > 0, "no outline drawn");
    }

    private static boolean near(boolean[] mask, int cols, int k, RgbImage img, int x, int y, int r) {
        for (int dy = -r; dy <= r; dy++) {
            for (int dx = -r; dx <= r; dx++) {
                int xx = x + dx;
                int yy = y + dy;
                if (xx >= 0 && yy >= 0 && xx < img.width() && yy < img.height() && mask[(yy / k) * cols + xx / k]) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String readText(RgbImage img, int x0, int y0, int scale, int chars) {
        String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.:%-/()_+,=?<> ";
        StringBuilder sb = new StringBuilder();
        for (int n = 0; n < chars; n++) {
            int[] rows = new int[BitmapFont.GLYPH_HEIGHT];
            for (int r = 0; r < BitmapFont.GLYPH_HEIGHT; r++) {
                for (int c = 0; c < BitmapFont.GLYPH_WIDTH; c++) {
                    int x = x0 + n * BitmapFont.ADVANCE * scale + c * scale;
                    if (img.get(x, y0 + r * scale) == KeyImageRenderer.TEXT_RGB) {
                        rows[r] |= 0x10 >> c;
                    }
                }
            }
            char found = '#';
            for (char ch : alphabet.toCharArray()) {
                if (java.util.Arrays.equals(rows, BitmapFont.glyph(ch))) {
                    found = ch;
                }
            }
            sb.append(found);
        }
        return sb.toString();
    }

    /** Text pixels in the top band (result lines) and in the bottom band (the disclaimer). */
    private static void checkText(RgbImage img) {
        int top = 0;
        int bottom = 0;
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                if (img.get(x, y) == KeyImageRenderer.TEXT_RGB) {
                    if (y < img.height() / 8) {
                        top++;
                    } else if (y > img.height() * 7 / 8) {
                        bottom++;
                    }
                }
            }
        }
        assertTrue(top > 500, "too little text at the top: " + top);
        assertTrue(bottom > 200, "too little text at the bottom: " + bottom);
    }
}
