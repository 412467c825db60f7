package org.ichtriage.dicom.codec;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Maps a Specific Character Set (0008,0005) value to a Java charset (PS3.3 C.12.1.1.2).
 * Single-byte and Unicode sets are supported; ISO 2022 code extensions with more than one value
 * (Japanese, Korean escape sequences) are refused with {@link UnsupportedCharacterSetException}.
 */
final class SpecificCharacterSet {
    private SpecificCharacterSet() {
    }

    /** @param values the (0008,0005) values, null or empty for the default repertoire */
    static Charset charsetFor(String[] values) throws UnsupportedCharacterSetException {
        if (values == null || values.length == 0) {
            return StandardCharsets.US_ASCII;
        }
        // A first value left empty means the default repertoire; further values only add ISO 2022 escapes.
        String first = values[0].trim().toUpperCase(Locale.ROOT);
        if (values.length > 1) {
            throw new UnsupportedCharacterSetException(String.join("\\", values));
        }
        String term = first.startsWith("ISO 2022 ") ? "ISO_" + first.substring("ISO 2022 ".length()).replace(' ', '_')
                : first;
        String name = switch (term) {
            case "", "ISO_IR 6", "ISO_IR_6" -> "US-ASCII";
            case "ISO_IR 100", "ISO_IR_100" -> "ISO-8859-1";
            case "ISO_IR 101", "ISO_IR_101" -> "ISO-8859-2";
            case "ISO_IR 109", "ISO_IR_109" -> "ISO-8859-3";
            case "ISO_IR 110", "ISO_IR_110" -> "ISO-8859-4";
            case "ISO_IR 144", "ISO_IR_144" -> "ISO-8859-5";
            case "ISO_IR 127", "ISO_IR_127" -> "ISO-8859-6";
            case "ISO_IR 126", "ISO_IR_126" -> "ISO-8859-7";
            case "ISO_IR 138", "ISO_IR_138" -> "ISO-8859-8";
            case "ISO_IR 148", "ISO_IR_148" -> "ISO-8859-9";
            case "ISO_IR 203", "ISO_IR_203" -> "ISO-8859-15";
            case "ISO_IR 166", "ISO_IR_166" -> "TIS-620";
            case "ISO_IR 192" -> "UTF-8";
            case "GB18030" -> "GB18030";
            case "GBK" -> "GBK";
            default -> null;
        };
        if (name == null || !Charset.isSupported(name)) {
            throw new UnsupportedCharacterSetException(String.join("\\", values));
        }
        return Charset.forName(name);
    }
}
