package org.ichtriage.dicom.net;

import java.net.InetAddress;
import java.time.Instant;

/**
 * One received C-STORE: who sent it, what it claims to be, and the dataset exactly as received
 * (no re-encoding), in {@code transferSyntaxUid}.
 */
public record StoreRequest(String callingAet, String calledAet, InetAddress remoteAddress,
                           String sopClassUid, String sopInstanceUid, String transferSyntaxUid,
                           byte[] datasetBytes, Instant receivedAt) {
}
