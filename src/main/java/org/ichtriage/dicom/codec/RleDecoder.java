package org.ichtriage.dicom.codec;

/**
 * DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header of little-endian segment count and offsets, then one
 * PackBits-coded segment per byte plane, most significant byte first. Writes into a caller-sized array and
 * never past it; every offset and run is checked against the fragment and the frame.
 */
final class RleDecoder {
    private static final int HEADER = 64;
    private static final int MAX_SEGMENTS = 15;

    private RleDecoder() {
    }

    /**
     * Decodes one frame into native little-endian samples.
     *
     * @param in           the fragment holding the frame
     * @param start        where the RLE header begins in {@code in}
     * @param length       the fragment's length
     * @param inputOffset  where {@code in[start]} lies in the original input, for error offsets
     * @param geometry     the frame's declared size, which fixes the output size
     */
    static byte[] decode(byte[] in, int start, int length, long inputOffset, FrameGeometry geometry)
            throws PixelDataException {
        int bytesPerSample = geometry.bitsAllocated() / 8;
        int samplesPerPlane = geometry.rows() * geometry.columns();
        int expectedSegments = bytesPerSample * geometry.samplesPerPixel();
        if (length < HEADER) {
            throw new PixelDataException(inputOffset, "RLE fragment of " + length + " bytes is shorter than its 64-byte header");
        }
        long segments = u32(in, start);
        if (segments != expectedSegments) {
            throw new PixelDataException(inputOffset, "RLE header declares " + segments + " segments; "
                    + geometry.bitsAllocated() + "-bit, " + geometry.samplesPerPixel() + "-sample pixels need " + expectedSegments);
        }
        long[] offsets = new long[MAX_SEGMENTS + 1];
        for (int i = 0; i < MAX_SEGMENTS; i++) {
            offsets[i] = u32(in, start + 4 + 4 * i);
        }
        byte[] out = new byte[geometry.frameBytes()];
        for (int s = 0; s < segments; s++) {
            long segStart = offsets[s];
            long segEnd = s + 1 < segments ? offsets[s + 1] : length;
            if (segStart < HEADER || segEnd > length || segEnd < segStart) {
                throw new PixelDataException(inputOffset + 4 + 4 * s, "RLE segment " + s + " spans " + segStart + ".."
                        + segEnd + ", outside the fragment's " + HEADER + ".." + length);
            }
            // PS3.5 G.2: segment order is sample by sample, most significant byte first; we write little endian
            int sample = s / bytesPerSample;
            int byteInSample = bytesPerSample - 1 - s % bytesPerSample;
            int stride = bytesPerSample * geometry.samplesPerPixel();
            int firstByte = sample * bytesPerSample + byteInSample;
            if (geometry.samplesPerPixel() > 1 && geometry.planarConfiguration() == 1) {
                stride = bytesPerSample;
                firstByte = sample * samplesPerPlane * bytesPerSample + byteInSample;
            }
            unpackSegment(in, start + (int) segStart, start + (int) segEnd, inputOffset - start, out, firstByte, stride,
                    samplesPerPlane, s);
        }
        return out;
    }

    /** PackBits into every {@code stride}-th byte of out from {@code first}, exactly {@code count} bytes. */
    private static void unpackSegment(byte[] in, int pos, int end, long base, byte[] out, int first, int stride, int count,
                                      int segment) throws PixelDataException {
        int written = 0;
        int o = first;
        while (written < count) {
            if (pos >= end) {
                throw new PixelDataException(base + pos, "RLE segment " + segment + " ends after " + written + " of "
                        + count + " bytes");
            }
            int n = in[pos++];
            if (n >= 0) {
                int run = n + 1;
                if (run > end - pos) {
                    throw new PixelDataException(base + pos - 1, "RLE literal run of " + run + " bytes overruns segment "
                            + segment);
                }
                if (run > count - written) {
                    throw new PixelDataException(base + pos - 1, "RLE literal run of " + run + " bytes overruns the frame ("
                            + (count - written) + " left in segment " + segment + ")");
                }
                for (int i = 0; i < run; i++, o += stride) {
                    out[o] = in[pos++];
                }
                written += run;
            } else if (n != -128) {
                int run = 1 - n;
                if (pos >= end) {
                    throw new PixelDataException(base + pos - 1, "RLE replicate run without its byte in segment " + segment);
                }
                if (run > count - written) {
                    throw new PixelDataException(base + pos - 1, "RLE replicate run of " + run + " bytes overruns the frame ("
                            + (count - written) + " left in segment " + segment + ")");
                }
                byte v = in[pos++];
                for (int i = 0; i < run; i++, o += stride) {
                    out[o] = v;
                }
                written += run;
            }
            // -128 is a no-op (PS3.5 G.3.1)
        }
        // bytes left in the segment after a full plane are padding, which G.5 allows (segments are even-length)
    }

    private static long u32(byte[] b, int p) {
        return (b[p] & 0xFFL) | (b[p + 1] & 0xFFL) << 8 | (b[p + 2] & 0xFFL) << 16 | (b[p + 3] & 0xFFL) << 24;
    }
}
