package org.ichtriage.dicom.net;

import java.io.IOException;

/** The peer accepted no presentation context for this SOP class and transfer syntax. */
public class NoPresentationContextException extends IOException {
    public NoPresentationContextException(String sopClass, String ts) {
        super("no accepted presentation context for SOP class " + sopClass + " in transfer syntax " + ts);
    }
}
