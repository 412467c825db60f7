package org.ichtriage.dicom.codec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Value Representations of PS3.5 6.2, with the explicit-VR length field size and padding of each. */
public enum VR {
    AE(false, true), AS(false, true), AT(false, false), CS(false, true), DA(false, true), DS(false, true),
    DT(false, true), FL(false, false), FD(false, false), IS(false, true), LO(false, true), LT(false, true),
    OB(true, false), OD(true, false), OF(true, false), OL(true, false), OV(true, false), OW(true, false),
    PN(false, true), SH(false, true), SL(false, false), SQ(true, false), SS(false, false), ST(false, true),
    SV(true, false), TM(false, true), UC(true, true), UI(false, true), UL(false, false), UN(true, false),
    UR(true, true), US(false, false), UT(true, true), UV(true, false);

    private final boolean longLength;
    private final boolean text;

    VR(boolean longLength, boolean text) {
        this.longLength = longLength;
        this.text = text;
    }

    /** True where Explicit VR encodes 2 reserved bytes and a 32-bit length (PS3.5 7.1.2). */
    public boolean hasLongLength() {
        return longLength;
    }

    /** True for character-string VRs. */
    public boolean isText() {
        return text;
    }

    /** True for VRs whose text is decoded with the Specific Character Set (PS3.5 6.1.2.3); the rest are plain ASCII. */
    public boolean usesSpecificCharacterSet() {
        return this == SH || this == LO || this == ST || this == LT || this == UT || this == PN || this == UC;
    }

    /** Byte used to pad a value to even length: NUL for UI and binary VRs, space for text. */
    public byte paddingByte() {
        return text && this != UI ? (byte) ' ' : 0;
    }

    /** The VR for its two-character code as it appears in Explicit VR, or null if the code is not a PS3.5 VR. */
    public static VR fromCode(int b0, int b1) {
        if (b0 < 'A' || b0 > 'Z' || b1 < 'A' || b1 > 'Z') {
            return null;
        }
        return CODES[(b0 - 'A') * 26 + (b1 - 'A')];
    }

    private static final VR[] CODES = new VR[26 * 26];

    static {
        for (VR vr : values()) {
            String n = vr.name();
            CODES[(n.charAt(0) - 'A') * 26 + (n.charAt(1) - 'A')] = vr;
        }
    }

    /**
     * The VR that Implicit VR Little Endian implies for a tag (PS3.6 data dictionary).
     * Group lengths are UL, private creators LO; any other tag not in the dictionary, private ones included, is UN.
     */
    public static VR forTag(int tag) {
        if ((tag & 0xFFFF) == 0) {
            return UL;
        }
        if (Tag.isPrivateCreator(tag)) {
            return LO;
        }
        VR vr = Dictionary.BY_TAG.get(tag);
        return vr != null ? vr : UN;
    }

    /** The dictionary keyword of a tag, or null when the tag is not in the built-in table. */
    public static String keyword(int tag) {
        return Dictionary.KEYWORDS.get(tag);
    }

    /**
     * True for tags whose dictionary VR is "US or SS" (pixel-value attributes): in Implicit VR their VR follows
     * Pixel Representation (PS3.5 A.1 note), which the reader applies once the dataset is read.
     */
    public static boolean isUsOrSs(int tag) {
        return Dictionary.US_OR_SS.contains(tag);
    }

    // Loaded lazily in a holder so that enum constant initialisation never depends on the resource.
    private static final class Dictionary {
        static final Map<Integer, VR> BY_TAG = new HashMap<>(8192);
        static final Map<Integer, String> KEYWORDS = new HashMap<>(8192);
        static final java.util.Set<Integer> US_OR_SS = new java.util.HashSet<>();

        static {
            try (InputStream in = VR.class.getResourceAsStream("dictionary.txt")) {
                if (in == null) {
                    throw new IllegalStateException("dictionary.txt missing from the classpath next to VR.class");
                }
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.isEmpty() || line.charAt(0) == '#') {
                        continue;
                    }
                    String[] f = line.split(" ");
                    int tag = Integer.parseUnsignedInt(f[0], 16);
                    BY_TAG.put(tag, VR.valueOf(f[1]));
                    KEYWORDS.put(tag, f[2]);
                    if (f.length > 3 && f[3].startsWith("US/SS")) {
                        US_OR_SS.add(tag);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
