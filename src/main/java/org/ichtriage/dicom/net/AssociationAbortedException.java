package org.ichtriage.dicom.net;

import java.io.IOException;

/** The peer sent an A-ABORT. */
public class AssociationAbortedException extends IOException {
    private final Abort abort;

    public AssociationAbortedException(Abort abort) {
        super("association aborted by peer: " + abort.describe());
        this.abort = abort;
    }

    public Abort abort() {
        return abort;
    }
}
