package org.ichtriage.dicom.codec;

/** A transfer syntax this codec does not decode (compressed, deflated, big endian, or unknown). */
public class UnsupportedTransferSyntaxException extends DicomException {
    private final String transferSyntaxUid;

    public UnsupportedTransferSyntaxException(String transferSyntaxUid) {
        super("unsupported transfer syntax " + transferSyntaxUid
                + " (only Implicit VR Little Endian and Explicit VR Little Endian are decoded)");
        this.transferSyntaxUid = transferSyntaxUid;
    }

    public String transferSyntaxUid() {
        return transferSyntaxUid;
    }
}
