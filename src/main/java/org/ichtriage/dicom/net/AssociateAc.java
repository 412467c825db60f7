package org.ichtriage.dicom.net;

import java.util.List;

/** A-ASSOCIATE-AC (PS3.8 9.3.3). */
public record AssociateAc(String calledAet, String callingAet, String applicationContext,
                          List<PresentationContextAc> presentationContexts, UserInfo userInfo) {
    public AssociateAc {
        presentationContexts = List.copyOf(presentationContexts);
    }
}
