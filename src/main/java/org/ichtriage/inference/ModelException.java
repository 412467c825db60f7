package org.ichtriage.inference;

/** A model file, card or session problem; the message names the file and the failing check. */
public class ModelException extends Exception {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
