package org.ichtriage.dicom.codec;

/** A Specific Character Set (0008,0005) value this codec cannot decode, such as ISO 2022 code extensions. */
public class UnsupportedCharacterSetException extends DicomException {
    private final String specificCharacterSet;

    public UnsupportedCharacterSetException(String specificCharacterSet) {
        super("unsupported Specific Character Set (0008,0005) '" + specificCharacterSet + "'");
        this.specificCharacterSet = specificCharacterSet;
    }

    public String specificCharacterSet() {
        return specificCharacterSet;
    }
}
