package org.ichtriage.dicom.net;

/**
 * Text from the network (AE titles above all) made safe for a log line: every control character
 * (C0, DEL, C1) becomes a visible {@code \xNN}, and a backslash is doubled, so that a peer can
 * neither forge log lines nor send escape sequences to an operator's terminal.
 */
public final class LogSafe {
    private LogSafe() {
    }

    public static String text(String s) {
        if (s == null) return "null";
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = c < 0x20 || (c >= 0x7F && c <= 0x9F);
            if (control || c == '\\') {
                if (b == null) b = new StringBuilder(s.length() + 8).append(s, 0, i);
                if (c == '\\') b.append("\\\\");
                else b.append(String.format("\\x%02X", (int) c));
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }
}
