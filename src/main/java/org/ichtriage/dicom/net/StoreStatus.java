package org.ichtriage.dicom.net;

/**
 * The status a {@link StoreHandler} returns, written into the C-STORE-RSP (PS3.4 B.2.3).
 * {@code comment} goes into Error Comment (0000,0902) for failures; keep it free of patient data.
 */
public record StoreStatus(int code, String comment) {
    public static final int SUCCESS = 0x0000;
    public static final int OUT_OF_RESOURCES = 0xA700;
    public static final int DATASET_DOES_NOT_MATCH_SOP_CLASS = 0xA900;
    public static final int CANNOT_UNDERSTAND = 0xC000;
    public static final int SOP_CLASS_NOT_SUPPORTED = 0x0122;
    public static final int PROCESSING_FAILURE = 0x0110;
    public static final int UNRECOGNIZED_OPERATION = 0x0211;

    public static final StoreStatus OK = new StoreStatus(SUCCESS, null);

    public static StoreStatus failure(int code, String comment) {
        return new StoreStatus(code, comment);
    }

    public boolean isSuccess() {
        return code == SUCCESS;
    }

    /** Warnings (0001, Bxxx) also mean the instance was stored. */
    public boolean isStored() {
        return code == SUCCESS || code == 0x0001 || (code & 0xF000) == 0xB000;
    }
}
