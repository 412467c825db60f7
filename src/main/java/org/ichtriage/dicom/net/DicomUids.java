package org.ichtriage.dicom.net;

/** The few UIDs the network layer negotiates. */
public final class DicomUids {
    public static final String VERIFICATION = "1.2.840.10008.1.1";
    public static final String CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2";
    public static final String IMPLICIT_VR_LE = "1.2.840.10008.1.2";
    public static final String EXPLICIT_VR_LE = "1.2.840.10008.1.2.1";

    private DicomUids() {
    }
}
