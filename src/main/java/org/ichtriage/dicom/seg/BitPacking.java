package org.ichtriage.dicom.seg;

import java.util.ArrayList;
import java.util.List;

/**
 * Single-bit pixel packing of PS3.5 8.1.1: pixel k of the whole frame sequence goes to bit (k mod 8) of byte k/8,
 * least significant bit first. Frames follow each other bit-contiguously, with no padding between them, and only
 * the complete value is padded to an even length.
 */
public final class BitPacking {
    private BitPacking() {
    }

    public static byte[] pack(List<boolean[]> frames) {
        long bits = 0;
        for (boolean[] f : frames) {
            bits += f.length;
        }
        long bytes = (bits + 7) / 8;
        bytes += bytes & 1;
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("packed frames would be " + bytes + " bytes");
        }
        byte[] out = new byte[(int) bytes];
        long k = 0;
        for (boolean[] f : frames) {
            for (boolean b : f) {
                if (b) {
                    out[(int) (k >>> 3)] |= (byte) (1 << (k & 7));
                }
                k++;
            }
        }
        return out;
    }

    /**
     * @throws IllegalArgumentException if {@code packed} is shorter than frames*pixelsPerFrame bits
     */
    public static List<boolean[]> unpack(byte[] packed, int frames, int pixelsPerFrame) {
        long bits = (long) frames * pixelsPerFrame;
        if (frames < 0 || pixelsPerFrame < 0 || (bits + 7) / 8 > packed.length) {
            throw new IllegalArgumentException(frames + " frames of " + pixelsPerFrame + " pixels need "
                    + (bits + 7) / 8 + " bytes, pixel data has " + packed.length);
        }
        List<boolean[]> out = new ArrayList<>(frames);
        long k = 0;
        for (int f = 0; f < frames; f++) {
            boolean[] m = new boolean[pixelsPerFrame];
            for (int i = 0; i < pixelsPerFrame; i++, k++) {
                m[i] = (packed[(int) (k >>> 3)] & (1 << (k & 7))) != 0;
            }
            out.add(m);
        }
        return out;
    }
}
