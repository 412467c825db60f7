package org.ichtriage.dicom.net;

import java.io.IOException;

/** The called peer answered our A-ASSOCIATE-RQ with an A-ASSOCIATE-RJ. */
public class AssociationRejectedException extends IOException {
    private final AssociateRj rj;

    public AssociationRejectedException(AssociateRj rj) {
        super("association rejected: " + rj.describe() + " (result " + rj.result() + ", source "
                + rj.source() + ", reason " + rj.reason() + ")");
        this.rj = rj;
    }

    public AssociateRj rejection() {
        return rj;
    }
}
