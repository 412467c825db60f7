package org.ichtriage.dicom.codec;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import java.util.regex.Pattern;

/** UID generation (PS3.5 B.2: the 2.25 root with a UUID as decimal) and validation. */
public final class Uids {
    /** 2.25 + decimal of the fixed UUID 6f1c2b8e-9d4a-4e3b-8a51-2d7f0c9e4b13, chosen once for ich-triage. */
    public static final String IMPLEMENTATION_CLASS_UID = "2.25.147690575286855647608798625607335168787";

    // PS3.5 9.1: components of digits, no leading zero unless the component is "0".
    private static final Pattern VALID = Pattern.compile("(0|[1-9][0-9]*)(\\.(0|[1-9][0-9]*))*");

    private Uids() {
    }

    public static String newUid() {
        return fromUuid(UUID.randomUUID());
    }

    /** A UID derived from a name (2.25 + name-based UUID): the same name always gives the same UID. */
    public static String fromName(String name) {
        return fromUuid(UUID.nameUUIDFromBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    public static String fromUuid(UUID u) {
        ByteBuffer bb = ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
        return "2.25." + new BigInteger(1, bb.array());
    }

    public static boolean isValid(String uid) {
        return uid != null && !uid.isEmpty() && uid.length() <= 64 && VALID.matcher(uid).matches();
    }

    /**
     * A file name derived from a UID that can never contain a path separator, "..", a leading dot or
     * control characters, whatever a peer sent. Valid UIDs map to themselves; anything else keeps only
     * letters and digits and gets a hash suffix, so distinct hostile inputs stay distinct.
     */
    public static String sanitizeForFileName(String uid) {
        if (isValid(uid)) {
            return uid;
        }
        String s = uid == null ? "" : uid;
        StringBuilder sb = new StringBuilder("x_");
        for (int i = 0; i < s.length() && sb.length() < 66; i++) {
            char c = s.charAt(i);
            sb.append((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ? c : '_');
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            sb.append('_').append(HexFormat.of().formatHex(h, 0, 8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JRE", e);
        }
        return sb.toString();
    }
}
