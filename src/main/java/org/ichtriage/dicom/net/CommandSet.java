package org.ichtriage.dicom.net;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A DIMSE command set (PS3.7 9.3, E.1). Group 0000 is always Implicit VR Little Endian whatever
 * the negotiated transfer syntax, and holds only a handful of simple elements, so it has its own
 * tiny codec here rather than depending on the dataset codec.
 */
public final class CommandSet {
    public static final int GROUP_LENGTH = 0x00000000;
    public static final int AFFECTED_SOP_CLASS_UID = 0x00000002;
    public static final int COMMAND_FIELD = 0x00000100;
    public static final int MESSAGE_ID = 0x00000110;
    public static final int MESSAGE_ID_BEING_RESPONDED_TO = 0x00000120;
    public static final int PRIORITY = 0x00000700;
    public static final int COMMAND_DATA_SET_TYPE = 0x00000800;
    public static final int STATUS = 0x00000900;
    public static final int ERROR_COMMENT = 0x00000902;
    public static final int AFFECTED_SOP_INSTANCE_UID = 0x00001000;

    public static final int C_STORE_RQ = 0x0001;
    public static final int C_STORE_RSP = 0x8001;
    public static final int C_ECHO_RQ = 0x0030;
    public static final int C_ECHO_RSP = 0x8030;
    public static final int NO_DATA_SET = 0x0101;
    /** Command sets are a few hundred bytes; this bounds a hostile one. */
    public static final int MAX_COMMAND_LENGTH = 64 * 1024;

    private final Map<Integer, byte[]> elements;

    private CommandSet(Map<Integer, byte[]> elements) {
        this.elements = Collections.unmodifiableMap(elements);
    }

    public static CommandSet decode(byte[] b) throws DimseException {
        TreeMap<Integer, byte[]> m = new TreeMap<>();
        int p = 0;
        while (p < b.length) {
            if (b.length - p < 8) {
                throw new DimseException("truncated command element header", -1, p);
            }
            int group = (b[p] & 0xFF) | ((b[p + 1] & 0xFF) << 8);
            int elem = (b[p + 2] & 0xFF) | ((b[p + 3] & 0xFF) << 8);
            int tag = (group << 16) | elem;
            long len = (b[p + 4] & 0xFFL) | ((b[p + 5] & 0xFFL) << 8) | ((b[p + 6] & 0xFFL) << 16) | ((b[p + 7] & 0xFFL) << 24);
            if (group != 0) {
                throw new DimseException("element outside group 0000 in command set", tag, p);
            }
            if (len > b.length - p - 8) {
                throw new DimseException("command element length " + len + " past end of command set", tag, p);
            }
            byte[] v = new byte[(int) len];
            System.arraycopy(b, p + 8, v, 0, v.length);
            m.put(tag, v);
            p += 8 + (int) len;
        }
        if (!m.containsKey(COMMAND_FIELD)) {
            throw new DimseException("command set without Command Field", COMMAND_FIELD, 0);
        }
        return new CommandSet(m);
    }

    public byte[] encode() {
        ByteArrayOutputStream body = new ByteArrayOutputStream(256);
        for (Map.Entry<Integer, byte[]> e : elements.entrySet()) {
            if (e.getKey() != GROUP_LENGTH) {
                writeElement(body, e.getKey(), e.getValue());
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.size() + 12);
        writeElement(out, GROUP_LENGTH, le32(body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static void writeElement(ByteArrayOutputStream o, int tag, byte[] v) {
        o.write(tag >>> 16);
        o.write(tag >>> 24);
        o.write(tag);
        o.write(tag >>> 8);
        o.writeBytes(le32(v.length));
        o.writeBytes(v);
    }

    private static byte[] le32(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    public boolean contains(int tag) {
        return elements.containsKey(tag);
    }

    /** US value, or -1 if absent or malformed. */
    public int getUs(int tag) {
        byte[] v = elements.get(tag);
        if (v == null || v.length != 2) {
            return -1;
        }
        return (v[0] & 0xFF) | ((v[1] & 0xFF) << 8);
    }

    /** Text value with DICOM padding (trailing NUL or space) removed, or null if absent. */
    public String getString(int tag) {
        byte[] v = elements.get(tag);
        if (v == null) {
            return null;
        }
        int end = v.length;
        while (end > 0 && (v[end - 1] == 0 || v[end - 1] == ' ')) {
            end--;
        }
        return new String(v, 0, end, StandardCharsets.US_ASCII);
    }

    public int commandField() {
        return getUs(COMMAND_FIELD);
    }

    public int messageId() {
        return getUs(MESSAGE_ID);
    }

    public int status() {
        return getUs(STATUS);
    }

    public boolean hasDataSet() {
        return getUs(COMMAND_DATA_SET_TYPE) != NO_DATA_SET;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static CommandSet echoRq(int msgId) {
        return builder().ui(AFFECTED_SOP_CLASS_UID, DicomUids.VERIFICATION).us(COMMAND_FIELD, C_ECHO_RQ)
                .us(MESSAGE_ID, msgId).us(COMMAND_DATA_SET_TYPE, NO_DATA_SET).build();
    }

    public static CommandSet storeRq(int msgId, String sopClass, String sopInstance) {
        return builder().ui(AFFECTED_SOP_CLASS_UID, sopClass).us(COMMAND_FIELD, C_STORE_RQ)
                .us(MESSAGE_ID, msgId).us(PRIORITY, 0).us(COMMAND_DATA_SET_TYPE, 0)
                .ui(AFFECTED_SOP_INSTANCE_UID, sopInstance).build();
    }

    /** A response to {@code rq}, echoing its SOP class and instance as PS3.7 9.3.1.2/9.3.5.2 require. */
    public static CommandSet response(CommandSet rq, int status, String errorComment) {
        Builder b = builder().us(COMMAND_FIELD, rq.commandField() | 0x8000)
                .us(MESSAGE_ID_BEING_RESPONDED_TO, rq.messageId())
                .us(COMMAND_DATA_SET_TYPE, NO_DATA_SET).us(STATUS, status);
        String cls = rq.getString(AFFECTED_SOP_CLASS_UID);
        if (cls != null) {
            b.ui(AFFECTED_SOP_CLASS_UID, cls);
        }
        String inst = rq.getString(AFFECTED_SOP_INSTANCE_UID);
        if (inst != null) {
            b.ui(AFFECTED_SOP_INSTANCE_UID, inst);
        }
        if (errorComment != null && !errorComment.isEmpty()) {
            String c = errorComment.length() > 64 ? errorComment.substring(0, 64) : errorComment;
            b.text(ERROR_COMMENT, c.replaceAll("[^\\x20-\\x7e]", "?"));
        }
        return b.build();
    }

    public static final class Builder {
        private final TreeMap<Integer, byte[]> m = new TreeMap<>(Integer::compareUnsigned);

        public Builder us(int tag, int v) {
            m.put(tag, new byte[] {(byte) v, (byte) (v >>> 8)});
            return this;
        }

        /** UI values are padded to even length with NUL (PS3.5 9.1). */
        public Builder ui(int tag, String s) {
            return padded(tag, s, (byte) 0);
        }

        public Builder text(int tag, String s) {
            return padded(tag, s, (byte) ' ');
        }

        private Builder padded(int tag, String s, byte pad) {
            byte[] a = s.getBytes(StandardCharsets.US_ASCII);
            byte[] v = a.length % 2 == 0 ? a : java.util.Arrays.copyOf(a, a.length + 1);
            if (v.length != a.length) {
                v[a.length] = pad;
            }
            m.put(tag, v);
            return this;
        }

        public CommandSet build() {
            return new CommandSet(m);
        }
    }
}
