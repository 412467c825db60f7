package org.ichtriage.dicom.net;

import java.util.List;

/** A-ASSOCIATE-RQ (PS3.8 9.3.2). */
public record AssociateRq(String calledAet, String callingAet, String applicationContext,
                          List<PresentationContextRq> presentationContexts, UserInfo userInfo) {
    public AssociateRq {
        presentationContexts = List.copyOf(presentationContexts);
    }
}
