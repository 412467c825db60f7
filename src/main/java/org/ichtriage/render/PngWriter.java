package org.ichtriage.render;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.ichtriage.dicom.seg.RgbImage;

/** Writes 8-bit truecolour PNG (ISO/IEC 15948): IHDR, one zlib IDAT with filter type 0 per row, IEND. */
public final class PngWriter {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private PngWriter() {
    }

    public static byte[] write(RgbImage img) {
        int w = img.width();
        int h = img.height();
        byte[] rgb = img.rgb();
        byte[] raw = new byte[h * (1 + w * 3)];
        for (int y = 0; y < h; y++) {
            raw[y * (1 + w * 3)] = 0;
            System.arraycopy(rgb, y * w * 3, raw, y * (1 + w * 3) + 1, w * 3);
        }
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        ByteArrayOutputStream z = new ByteArrayOutputStream(raw.length / 4 + 64);
        try {
            deflater.setInput(raw);
            deflater.finish();
            byte[] buf = new byte[64 * 1024];
            while (!deflater.finished()) {
                int n = deflater.deflate(buf);
                z.write(buf, 0, n);
            }
        } finally {
            deflater.end();
        }

        ByteArrayOutputStream out = new ByteArrayOutputStream(z.size() + 64);
        out.writeBytes(SIGNATURE);
        byte[] ihdr = new byte[13];
        putInt(ihdr, 0, w);
        putInt(ihdr, 4, h);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type: truecolour
        // compression 0, filter method 0, no interlace
        chunk(out, "IHDR", ihdr);
        chunk(out, "IDAT", z.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] len = new byte[4];
        putInt(len, 0, data.length);
        out.writeBytes(len);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        byte[] c = new byte[4];
        putInt(c, 0, (int) crc.getValue());
        out.writeBytes(c);
    }

    private static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }
}
