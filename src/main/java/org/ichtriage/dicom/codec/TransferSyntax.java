package org.ichtriage.dicom.codec;

/** The transfer syntaxes this codec reads and writes; anything else is refused with a typed error. */
public final class TransferSyntax {
    public static final String IMPLICIT_VR_LE = "1.2.840.10008.1.2";
    public static final String EXPLICIT_VR_LE = "1.2.840.10008.1.2.1";
    public static final String DEFLATED_EXPLICIT_VR_LE = "1.2.840.10008.1.2.1.99";
    public static final String EXPLICIT_VR_BE = "1.2.840.10008.1.2.2";
    public static final String JPEG_LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70";
    public static final String RLE_LOSSLESS = "1.2.840.10008.1.2.5";

    private TransferSyntax() {
    }

    public static boolean isSupported(String uid) {
        return IMPLICIT_VR_LE.equals(uid) || EXPLICIT_VR_LE.equals(uid);
    }

    static boolean isExplicit(String uid) throws UnsupportedTransferSyntaxException {
        if (IMPLICIT_VR_LE.equals(uid)) {
            return false;
        }
        if (EXPLICIT_VR_LE.equals(uid)) {
            return true;
        }
        throw new UnsupportedTransferSyntaxException(uid);
    }
}
