package org.ichtriage.dicom.seg;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Draws the key images: the slices with the largest lesion area, windowed, the lesion outlined just outside its
 * border (so the blood itself stays visible), and the result burned in as text.
 */
public final class KeyImageRenderer {
    public static final int KEY_IMAGES = 3;
    public static final String NOT_FOR_DIAGNOSTIC_USE = "NOT FOR DIAGNOSTIC USE";
    /** Saturated red, the SEG segment's recommended colour too. */
    public static final int OUTLINE_RGB = 0xFF0000;
    public static final int TEXT_RGB = 0xFFFF00;
    /** Small series are enlarged by whole pixels until the longer side reaches this, so the text stays legible. */
    static final int MIN_DISPLAY_SIZE = 512;
    static final int OUTLINE_WIDTH = 2;

    private KeyImageRenderer() {
    }

    /** The slices to show: the largest lesion areas (ties to the lower slice), returned in slice order. */
    public static List<Integer> selectSlices(List<boolean[]> masks, int count) {
        List<Integer> withLesion = new ArrayList<>();
        for (int i = 0; i < masks.size(); i++) {
            if (MaskChecks.count(masks.get(i)) > 0) {
                withLesion.add(i);
            }
        }
        withLesion.sort(Comparator.comparingInt((Integer i) -> -MaskChecks.count(masks.get(i))).thenComparingInt(i -> i));
        List<Integer> chosen = new ArrayList<>(withLesion.subList(0, Math.min(count, withLesion.size())));
        chosen.sort(Comparator.naturalOrder());
        return chosen;
    }

    /** An empty list when no slice holds lesion. */
    public static List<RenderedKeyImage> render(KeyImageDescription d) {
        List<RenderedKeyImage> out = new ArrayList<>();
        for (int slice : selectSlices(d.masks(), KEY_IMAGES)) {
            out.add(new RenderedKeyImage(slice, MaskChecks.count(d.masks().get(slice)), renderSlice(d, slice)));
        }
        return out;
    }

    /** The integer enlargement applied to a rows x columns slice. */
    public static int scaleFor(int rows, int columns) {
        int longer = Math.max(rows, columns);
        return Math.max(1, Math.min(8, (MIN_DISPLAY_SIZE + longer - 1) / longer));
    }

    static RgbImage renderSlice(KeyImageDescription d, int slice) {
        SourceImage src = d.source().images().get(slice);
        int rows = src.rows();
        int cols = src.columns();
        int k = scaleFor(rows, cols);
        int w = cols * k;
        int h = rows * k;
        short[] hu = d.huSlices().get(slice);
        boolean[] mask = d.masks().get(slice);
        RgbImage img = RgbImage.blank(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int g = d.window().grey(hu[(y / k) * cols + x / k]);
                img.set(x, y, g, g, g);
            }
        }
        drawOutline(img, mask, cols, k);

        int scale = Math.max(1, w / 256);
        int line = (BitmapFont.GLYPH_HEIGHT + 3) * scale;
        int margin = 2 * scale;
        double[] ps = src.pixelSpacing();
        String where = caption(src, MaskChecks.count(mask) * ps[0] * ps[1] / 100.0);
        List<String> top = new ArrayList<>(wrap(d.volumeLine(), w - 2 * margin, scale));
        if (!d.flagsLine().isBlank()) {
            top.addAll(wrap(d.flagsLine(), w - 2 * margin, scale));
        }
        top.addAll(wrap(where, w - 2 * margin, scale));
        int y = margin;
        for (String t : top) {
            text(img, margin, y, t, scale);
            y += line;
        }
        List<String> bottom = wrap(NOT_FOR_DIAGNOSTIC_USE, w - 2 * margin, scale);
        int yb = h - margin - bottom.size() * line + 3 * scale;
        for (String t : bottom) {
            text(img, margin, yb, t, scale);
            yb += line;
        }
        return img;
    }

    /**
     * Where the slice is, in the terms a viewer shows: its InstanceNumber (IMAGE) and its location along
     * the slice normal in mm, never our own index into the sorted volume.
     */
    static String caption(SourceImage src, double lesionCm2) {
        String image = src.instanceNumber().isPresent() ? "IMAGE " + src.instanceNumber().getAsInt() : "IMAGE (NO NUMBER)";
        return String.format(Locale.ROOT, "%s  LOCATION %.1f MM  LESION %.1f CM2", image, src.locationMm(), lesionCm2);
    }

    // A black box behind the text keeps it readable over bone or a bright bleed.
    private static void text(RgbImage img, int x, int y, String t, int scale) {
        int tw = BitmapFont.width(t, scale);
        // As tall as the line pitch, so stacked lines share one unbroken box and no background shows between them.
        for (int yy = y - scale; yy < y + (BitmapFont.GLYPH_HEIGHT + 2) * scale; yy++) {
            for (int xx = x - scale; xx < x + tw + scale; xx++) {
                img.set(xx, yy, 0, 0, 0);
            }
        }
        BitmapFont.draw(img, x, y, t, scale, TEXT_RGB);
    }

    /**
     * Splits so that no line is wider than maxWidth. Phrases joined by " / " (the flags) stay whole
     * where they fit, so that a reader never sees "NEEDS" at the end of one line and "REVIEW" on the
     * next; otherwise it splits at spaces, and a single over-long word is cut.
     */
    static List<String> wrap(String text, int maxWidth, int scale) {
        int maxChars = Math.max(1, (maxWidth / scale + 1) / BitmapFont.ADVANCE);
        List<String> units = new ArrayList<>();
        String[] phrases = text.strip().replaceAll(" +", " ").split(" / ");
        for (int i = 0; i < phrases.length; i++) {
            String unit = phrases[i] + (i < phrases.length - 1 ? " /" : "");
            if (unit.length() <= maxChars) {
                units.add(unit);
            } else {
                units.addAll(List.of(unit.split(" +")));
            }
        }
        List<String> lines = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String word : units) {
            while (word.length() > maxChars) {
                if (cur.length() > 0) {
                    lines.add(cur.toString());
                    cur.setLength(0);
                }
                lines.add(word.substring(0, maxChars));
                word = word.substring(maxChars);
            }
            if (cur.length() > 0 && cur.length() + 1 + word.length() > maxChars) {
                lines.add(cur.toString());
                cur.setLength(0);
            }
            if (cur.length() > 0) {
                cur.append(' ');
            }
            cur.append(word);
        }
        if (cur.length() > 0) {
            lines.add(cur.toString());
        }
        return lines;
    }

    /**
     * Marks display pixels outside the enlarged mask that lie within OUTLINE_WIDTH pixels (chessboard distance) of
     * it: a ring hugging the lesion's border.
     */
    private static void drawOutline(RgbImage img, boolean[] mask, int cols, int k) {
        int w = img.width();
        int h = img.height();
        int r = OUTLINE_WIDTH;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (mask[(y / k) * cols + x / k]) {
                    continue;
                }
                search:
                for (int dy = -r; dy <= r; dy++) {
                    int yy = y + dy;
                    if (yy < 0 || yy >= h) {
                        continue;
                    }
                    for (int dx = -r; dx <= r; dx++) {
                        int xx = x + dx;
                        if (xx >= 0 && xx < w && mask[(yy / k) * cols + xx / k]) {
                            img.set(x, y, OUTLINE_RGB >> 16 & 0xFF, OUTLINE_RGB >> 8 & 0xFF, OUTLINE_RGB & 0xFF);
                            break search;
                        }
                    }
                }
            }
        }
    }
}
