package org.ichtriage.dicom.codec;

/** A transfer syntax this codec does not decode (lossy or JPEG-LS/JPEG 2000, deflated, big endian, or unknown). */
public class UnsupportedTransferSyntaxException extends DicomException {
    private final String transferSyntaxUid;

    public UnsupportedTransferSyntaxException(String transferSyntaxUid) {
        super("unsupported transfer syntax " + transferSyntaxUid
                + " (decoded: Implicit and Explicit VR Little Endian, RLE Lossless, JPEG Lossless process 14)");
        this.transferSyntaxUid = transferSyntaxUid;
    }

    public String transferSyntaxUid() {
        return transferSyntaxUid;
    }
}
