package org.ichtriage.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import org.ichtriage.dicom.seg.RgbImage;
import org.junit.jupiter.api.Test;

class PngWriterTest {

    @Test
    void writesAn8BitTruecolourPngWhosePixelsReadBackExactly() throws IOException {
        int w = 37;
        int h = 23;
        byte[] rgb = new byte[w * h * 3];
        new Random(7).nextBytes(rgb);
        byte[] png = PngWriter.write(new RgbImage(w, h, rgb));

        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, Arrays.copyOf(png, 8));
        assertEquals("IHDR", new String(png, 12, 4, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(w, java.nio.ByteBuffer.wrap(png, 16, 4).getInt());
        assertEquals(h, java.nio.ByteBuffer.wrap(png, 20, 4).getInt());
        assertEquals(8, png[24], "bit depth");
        assertEquals(2, png[25], "colour type: truecolour, no alpha");

        BufferedImage back = ImageIO.read(new ByteArrayInputStream(png));
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = 3 * (y * w + x);
                int expected = (rgb[i] & 0xFF) << 16 | (rgb[i + 1] & 0xFF) << 8 | (rgb[i + 2] & 0xFF);
                assertEquals(expected, back.getRGB(x, y) & 0xFFFFFF, "pixel " + x + "," + y);
            }
        }
    }
}
