package org.ichtriage.inference;

/** The ONNX file's sha256 differs from the one its model card declares. */
public final class ModelIntegrityException extends ModelException {
    private final String expectedSha256;
    private final String actualSha256;

    public ModelIntegrityException(String file, String expectedSha256, String actualSha256) {
        super("sha256 of " + file + " is " + actualSha256 + " but the model card declares " + expectedSha256);
        this.expectedSha256 = expectedSha256;
        this.actualSha256 = actualSha256;
    }

    public String expectedSha256() {
        return expectedSha256;
    }

    public String actualSha256() {
        return actualSha256;
    }
}
