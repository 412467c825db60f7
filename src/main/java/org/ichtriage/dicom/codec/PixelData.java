package org.ichtriage.dicom.codec;

import java.util.List;

/**
 * The pixels of one frame in native little-endian layout, whatever the dataset's transfer syntax: native
 * Pixel Data as is, encapsulated RLE or JPEG Lossless decoded. The output size is fixed by the declared
 * Rows x Columns x Bits Allocated x Samples per Pixel, bounded by {@link DicomLimits#maxElementLength()}.
 */
public final class PixelData {
    private PixelData() {
    }

    /**
     * Frame {@code index} (0-based) as native little-endian bytes; null when the dataset has no Pixel Data.
     * Native pixel data is returned as stored (not copied, so do not modify it), whatever its length: the caller
     * checks it against the geometry it needs.
     *
     * @throws PixelDataException for a malformed encapsulation or compressed stream, an unusable geometry, or a
     *                            frame index that the data does not hold
     */
    public static byte[] frame(DicomObject ds, int index, DicomLimits limits) throws PixelDataException {
        EncapsulatedPixelData epd = ds.encapsulatedPixelData();
        DicomElement e = ds.get(Tag.PixelData);
        if (e == null || e.value() == null) {
            return null;
        }
        if (epd == null) {
            return e.value();
        }
        FrameGeometry geometry = FrameGeometry.of(ds, limits.maxElementLength());
        int frames = Math.max(1, ds.getInt(Tag.NumberOfFrames, 1));
        if (index < 0 || index >= frames) {
            throw new PixelDataException(epd.valueOffset(), "frame " + index + " requested of " + frames);
        }
        byte[] value = e.value();
        List<EncapsulatedPixelData.Fragment> fragments = fragmentsOf(epd, index, frames);
        EncapsulatedPixelData.Fragment first = fragments.get(0);
        long at = epd.valueOffset() + first.valueStart();
        if (TransferSyntax.RLE_LOSSLESS.equals(epd.transferSyntaxUid())) {
            // PS3.5 A.4.2: one fragment per RLE frame
            if (fragments.size() != 1) {
                throw new PixelDataException(at, "RLE frame " + index + " spans " + fragments.size()
                        + " fragments (PS3.5 A.4.2 allows one)");
            }
            return RleDecoder.decode(value, first.valueStart(), first.length(), at, geometry);
        }
        if (TransferSyntax.JPEG_LOSSLESS.equals(epd.transferSyntaxUid())
                || TransferSyntax.JPEG_LOSSLESS_SV1.equals(epd.transferSyntaxUid())) {
            if (fragments.size() == 1) {
                return JpegLosslessDecoder.decode(value, first.valueStart(), first.length(), at, geometry);
            }
            // a frame may be split across fragments; the stream is their concatenation (bounded by the value's size)
            int total = 0;
            for (EncapsulatedPixelData.Fragment f : fragments) {
                total += f.length();
            }
            byte[] joined = new byte[total];
            int p = 0;
            for (EncapsulatedPixelData.Fragment f : fragments) {
                System.arraycopy(value, f.valueStart(), joined, p, f.length());
                p += f.length();
            }
            return JpegLosslessDecoder.decode(joined, 0, total, at, geometry);
        }
        throw new PixelDataException(epd.valueOffset(), "no decoder for transfer syntax " + epd.transferSyntaxUid());
    }

    /**
     * Replaces encapsulated Pixel Data by all its frames in native little-endian form, so that the dataset can be
     * written in an uncompressed syntax (for a peer that refuses the compressed one). Native pixel data is left alone.
     */
    public static void decompressInPlace(DicomObject ds, DicomLimits limits) throws PixelDataException {
        EncapsulatedPixelData epd = ds.encapsulatedPixelData();
        if (epd == null) {
            return;
        }
        FrameGeometry geometry = FrameGeometry.of(ds, limits.maxElementLength());
        int frames = Math.max(1, ds.getInt(Tag.NumberOfFrames, 1));
        long total = (long) frames * geometry.frameBytes();
        if (total > limits.maxElementLength()) {
            throw new PixelDataException(epd.valueOffset(), frames + " frames of " + geometry.frameBytes()
                    + " bytes exceed the element limit of " + limits.maxElementLength());
        }
        byte[] all = new byte[(int) total];
        for (int i = 0; i < frames; i++) {
            System.arraycopy(frame(ds, i, limits), 0, all, i * geometry.frameBytes(), geometry.frameBytes());
        }
        ds.putRaw(Tag.PixelData, geometry.bitsAllocated() == 8 ? VR.OB : VR.OW, all);
    }

    /** The fragments of one frame: by the Basic Offset Table when present, else one frame per fragment or all for one. */
    private static List<EncapsulatedPixelData.Fragment> fragmentsOf(EncapsulatedPixelData epd, int index, int frames)
            throws PixelDataException {
        List<EncapsulatedPixelData.Fragment> all = epd.fragments();
        if (all.isEmpty()) {
            throw new PixelDataException(epd.valueOffset(), "encapsulated pixel data holds no fragment");
        }
        if (frames == 1) {
            return all;
        }
        List<Long> table = epd.basicOffsetTable();
        if (table.isEmpty()) {
            if (all.size() != frames) {
                throw new PixelDataException(epd.valueOffset(), frames + " frames in " + all.size()
                        + " fragments without a Basic Offset Table: cannot tell where frames start");
            }
            return List.of(all.get(index));
        }
        if (table.size() != frames) {
            throw new PixelDataException(epd.valueOffset(), "Basic Offset Table has " + table.size() + " entries for "
                    + frames + " frames");
        }
        long start = table.get(index);
        long stop = index + 1 < frames ? table.get(index + 1) : Long.MAX_VALUE;
        List<EncapsulatedPixelData.Fragment> mine = all.stream()
                .filter(f -> f.itemOffset() >= start && f.itemOffset() < stop).toList();
        if (mine.isEmpty() || mine.get(0).itemOffset() != start) {
            throw new PixelDataException(epd.valueOffset(), "Basic Offset Table entry " + index + " (" + start
                    + ") does not point at a fragment");
        }
        return mine;
    }
}
