package org.ichtriage.dicom.codec;

import java.util.List;

/**
 * The transfer syntaxes this codec reads: the two uncompressed little-endian ones, and three lossless
 * compressed ones whose pixel data it decodes itself ({@link PixelData}). Anything else is refused with a
 * typed error. The writer encodes only the uncompressed two.
 */
public final class TransferSyntax {
    public static final String IMPLICIT_VR_LE = "1.2.840.10008.1.2";
    public static final String EXPLICIT_VR_LE = "1.2.840.10008.1.2.1";
    public static final String DEFLATED_EXPLICIT_VR_LE = "1.2.840.10008.1.2.1.99";
    public static final String EXPLICIT_VR_BE = "1.2.840.10008.1.2.2";
    /** JPEG Lossless, Non-Hierarchical (Process 14), any predictor. */
    public static final String JPEG_LOSSLESS = "1.2.840.10008.1.2.4.57";
    /** JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14, Selection Value 1). */
    public static final String JPEG_LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70";
    public static final String RLE_LOSSLESS = "1.2.840.10008.1.2.5";
    public static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";
    public static final String JPEG_LS_LOSSLESS = "1.2.840.10008.1.2.4.80";
    public static final String JPEG_LS_NEAR_LOSSLESS = "1.2.840.10008.1.2.4.81";
    public static final String JPEG_2000_LOSSLESS = "1.2.840.10008.1.2.4.90";
    public static final String JPEG_2000 = "1.2.840.10008.1.2.4.91";

    /** The compressed syntaxes we decode, in the order we prefer them when a sender leaves the choice to us. */
    public static final List<String> DECODED_COMPRESSED = List.of(JPEG_LOSSLESS_SV1, JPEG_LOSSLESS, RLE_LOSSLESS);

    private TransferSyntax() {
    }

    /** True for every syntax {@link DicomReader} reads and {@link PixelData} decodes. */
    public static boolean isSupported(String uid) {
        return IMPLICIT_VR_LE.equals(uid) || EXPLICIT_VR_LE.equals(uid) || isDecodedCompressed(uid);
    }

    /** True for the encapsulated (compressed) syntaxes whose pixel data this codec decodes. */
    public static boolean isDecodedCompressed(String uid) {
        return DECODED_COMPRESSED.contains(uid);
    }

    static boolean isExplicit(String uid) throws UnsupportedTransferSyntaxException {
        if (IMPLICIT_VR_LE.equals(uid)) {
            return false;
        }
        // every encapsulated syntax encodes its dataset in Explicit VR Little Endian (PS3.5 A.4)
        if (EXPLICIT_VR_LE.equals(uid) || isDecodedCompressed(uid)) {
            return true;
        }
        throw new UnsupportedTransferSyntaxException(uid);
    }
}
