package org.ichtriage.dicom.codec;

/**
 * Pixel data that cannot be decoded: a malformed encapsulation, RLE segment or JPEG stream, or a frame that
 * would not fit the declared rows x columns x bits. The offset is where in the input the fault lies
 * (for a compressed stream: the start of its fragment plus the position inside it).
 */
public class PixelDataException extends DicomParseException {
    public PixelDataException(long offset, String detail) {
        super(Tag.PixelData, offset, detail);
    }
}
