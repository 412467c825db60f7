package org.ichtriage.dicom.net;

/**
 * The user-information item fields we use. {@code maxPduLength} is the largest P-DATA-TF
 * variable field the sender of this item is willing to receive; 0 means unlimited (PS3.8 D.1).
 */
public record UserInfo(long maxPduLength, String implementationClassUid, String implementationVersionName) {
}
