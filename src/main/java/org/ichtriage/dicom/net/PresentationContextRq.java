package org.ichtriage.dicom.net;

import java.util.List;

/** One proposed presentation context of an A-ASSOCIATE-RQ (PS3.8 9.3.2.2). */
public record PresentationContextRq(int id, String abstractSyntax, List<String> transferSyntaxes) {
    public PresentationContextRq {
        transferSyntaxes = List.copyOf(transferSyntaxes);
    }
}
