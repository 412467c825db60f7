package org.ichtriage.dicom.codec;

import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * A mutable DICOM attribute set kept in ascending (unsigned) tag order, as PS3.5 7.1 requires on the wire.
 * Values are held as their little-endian encoding, so a dataset read and written again is byte-identical
 * for every element this class was not asked to change.
 */
public final class DicomObject implements Iterable<DicomElement> {
    private final TreeMap<Integer, DicomElement> elements = new TreeMap<>(Integer::compareUnsigned);
    // Items inherit the enclosing dataset's Specific Character Set (PS3.5 7.5.3) unless they declare their own.
    private String[] inheritedCharacterSet;
    // Set when Pixel Data is encapsulated: its value is then the item sequence as received, not pixels.
    private EncapsulatedPixelData encapsulatedPixelData;

    public DicomObject() {
    }

    void inheritCharacterSet(String[] values) {
        this.inheritedCharacterSet = values;
    }

    public boolean contains(int tag) {
        return elements.containsKey(tag);
    }

    public int size() {
        return elements.size();
    }

    public boolean isEmpty() {
        return elements.isEmpty();
    }

    public DicomElement get(int tag) {
        return elements.get(tag);
    }

    /** The VR of an attribute, or null if absent. */
    public VR vr(int tag) {
        DicomElement e = elements.get(tag);
        return e == null ? null : e.vr();
    }

    @Override
    public Iterator<DicomElement> iterator() {
        return Collections.unmodifiableCollection(elements.values()).iterator();
    }

    public DicomElement remove(int tag) {
        if (tag == Tag.PixelData) {
            encapsulatedPixelData = null;
        }
        return elements.remove(tag);
    }

    /**
     * Where the fragments of encapsulated (compressed) Pixel Data lie, or null when Pixel Data is native or
     * absent. When set, {@link #getBytes}(PixelData) gives the encapsulated bytes, not pixels: use
     * {@link PixelData#frame} for pixels.
     */
    public EncapsulatedPixelData encapsulatedPixelData() {
        return encapsulatedPixelData;
    }

    /** For the reader: encapsulated Pixel Data, kept as received (the array is not copied). */
    void putEncapsulated(byte[] value, EncapsulatedPixelData structure) {
        elements.put(Tag.PixelData, new DicomElement(Tag.PixelData, VR.OB, value, null));
        encapsulatedPixelData = structure;
    }

    // ---------------------------------------------------------------- getters

    /** First value, trimmed of padding and surrounding spaces; "" for an empty value; null if absent or a sequence. */
    public String getString(int tag) {
        String[] v = getStrings(tag);
        if (v == null) {
            return null;
        }
        return v.length == 0 ? "" : v[0];
    }

    /**
     * All values, each trimmed. LT, ST, UT and UR are single-valued (a backslash is data there).
     * Binary VRs are rendered as decimal numbers. Null if absent or a sequence.
     */
    public String[] getStrings(int tag) {
        DicomElement e = elements.get(tag);
        if (e == null || e.value() == null) {
            return null;
        }
        VR vr = e.vr();
        byte[] b = e.value();
        switch (vr) {
            case US, SS, UL, SL -> {
                long[] n = integers(vr, b);
                String[] s = new String[n.length];
                for (int i = 0; i < n.length; i++) {
                    s[i] = Long.toString(n[i]);
                }
                return s;
            }
            case FL, FD -> {
                double[] d = getDoubles(tag);
                String[] s = new String[d.length];
                for (int i = 0; i < d.length; i++) {
                    s[i] = Double.toString(d[i]);
                }
                return s;
            }
            default -> {
                // Text (and UN, which in practice is text from an unknown private tag).
            }
        }
        String text = new String(b, vr.usesSpecificCharacterSet() ? lenientCharset() : StandardCharsets.ISO_8859_1);
        if (text.isEmpty()) {
            return new String[0];
        }
        if (vr == VR.LT || vr == VR.ST || vr == VR.UT || vr == VR.UR) {
            return new String[] {trimValue(text)};
        }
        String[] parts = text.split("\\\\", -1);
        for (int i = 0; i < parts.length; i++) {
            parts[i] = trimValue(parts[i]);
        }
        return parts;
    }

    private static String trimValue(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == 0)) {
            start++;
        }
        while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == 0)) {
            end--;
        }
        return s.substring(start, end);
    }

    /**
     * First value of a US, SS, UL, SL or IS attribute, or {@code def} if absent, empty, unparseable,
     * of another VR, or (for UL) beyond the int range.
     */
    public int getInt(int tag, int def) {
        DicomElement e = elements.get(tag);
        if (e == null || e.value() == null) {
            return def;
        }
        VR vr = e.vr();
        switch (vr) {
            case US, SS, UL, SL -> {
                long[] n = integers(vr, e.value());
                if (n.length == 0 || n[0] > Integer.MAX_VALUE || n[0] < Integer.MIN_VALUE) {
                    return def;
                }
                return (int) n[0];
            }
            case IS -> {
                String s = getString(tag);
                try {
                    return s == null || s.isEmpty() ? def : Integer.parseInt(s.startsWith("+") ? s.substring(1) : s);
                } catch (NumberFormatException ex) {
                    return def;
                }
            }
            default -> {
                return def;
            }
        }
    }

    /** All values of a US, SS, UL or SL attribute (UL as unsigned); null if absent or of another VR. */
    public long[] getLongs(int tag) {
        DicomElement e = elements.get(tag);
        if (e == null || e.value() == null) {
            return null;
        }
        return switch (e.vr()) {
            case US, SS, UL, SL -> integers(e.vr(), e.value());
            default -> null;
        };
    }

    private static long[] integers(VR vr, byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int size = vr == VR.US || vr == VR.SS ? 2 : 4;
        long[] out = new long[b.length / size];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (vr) {
                case US -> bb.getShort(i * 2) & 0xFFFF;
                case SS -> bb.getShort(i * 2);
                case UL -> bb.getInt(i * 4) & 0xFFFFFFFFL;
                default -> bb.getInt(i * 4);
            };
        }
        return out;
    }

    /**
     * All values of a DS, IS, FD, FL, US, SS, UL or SL attribute; null if absent or of another VR.
     * A DS/IS component that is not a number gives NaN, so a caller checking geometry sees it rather than a 0.
     */
    public double[] getDoubles(int tag) {
        DicomElement e = elements.get(tag);
        if (e == null || e.value() == null) {
            return null;
        }
        byte[] b = e.value();
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        switch (e.vr()) {
            case FD -> {
                double[] d = new double[b.length / 8];
                for (int i = 0; i < d.length; i++) {
                    d[i] = bb.getDouble(i * 8);
                }
                return d;
            }
            case FL -> {
                double[] d = new double[b.length / 4];
                for (int i = 0; i < d.length; i++) {
                    d[i] = bb.getFloat(i * 4);
                }
                return d;
            }
            case DS, IS -> {
                String[] s = getStrings(tag);
                double[] d = new double[s.length];
                for (int i = 0; i < s.length; i++) {
                    try {
                        d[i] = Double.parseDouble(s[i]);
                    } catch (NumberFormatException ex) {
                        d[i] = Double.NaN;
                    }
                }
                return d;
            }
            case US, SS, UL, SL -> {
                long[] n = integers(e.vr(), b);
                double[] d = new double[n.length];
                for (int i = 0; i < n.length; i++) {
                    d[i] = n[i];
                }
                return d;
            }
            default -> {
                return null;
            }
        }
    }

    /** A copy of the raw value bytes, or null if absent or a sequence. */
    public byte[] getBytes(int tag) {
        DicomElement e = elements.get(tag);
        return e == null || e.value() == null ? null : e.value().clone();
    }

    /** A read-only little-endian view of the value, without copying (for pixel data); null if absent. */
    public ByteBuffer getByteBuffer(int tag) {
        DicomElement e = elements.get(tag);
        return e == null || e.value() == null ? null
                : ByteBuffer.wrap(e.value()).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The items of a sequence (live list), or null if absent or not a sequence. */
    public List<DicomObject> getSequence(int tag) {
        DicomElement e = elements.get(tag);
        return e == null ? null : e.items();
    }

    /**
     * A person name decoded with the Specific Character Set in force. Where that set is not supported, the
     * documented fallback is ASCII with every other byte replaced by U+FFFD, so callers never get mojibake
     * that looks valid; use {@link #getPersonNameStrict} to get a typed error instead.
     */
    public String getPersonName(int tag) {
        DicomElement e = elements.get(tag);
        if (e == null || e.value() == null) {
            return null;
        }
        return trimValue(new String(e.value(), lenientCharset()));
    }

    public String getPersonNameStrict(int tag) throws UnsupportedCharacterSetException {
        DicomElement e = elements.get(tag);
        if (e == null || e.value() == null) {
            return null;
        }
        return trimValue(new String(e.value(), charset()));
    }

    /** The Java charset for this object's (or its enclosing dataset's) Specific Character Set. */
    public Charset charset() throws UnsupportedCharacterSetException {
        return SpecificCharacterSet.charsetFor(characterSetValues());
    }

    private String[] characterSetValues() {
        DicomElement cs = elements.get(Tag.SpecificCharacterSet);
        if (cs != null && cs.value() != null) {
            String raw = new String(cs.value(), StandardCharsets.ISO_8859_1);
            String[] parts = raw.split("\\\\", -1);
            for (int i = 0; i < parts.length; i++) {
                parts[i] = trimValue(parts[i]);
            }
            return parts;
        }
        return inheritedCharacterSet;
    }

    String[] characterSetForItems() {
        return characterSetValues();
    }

    private Charset lenientCharset() {
        try {
            return charset();
        } catch (UnsupportedCharacterSetException e) {
            return StandardCharsets.US_ASCII;
        }
    }

    // ---------------------------------------------------------------- mutators

    /**
     * Sets a text attribute; values are joined by backslash and padded to even length (NUL for UI, space
     * otherwise). Text VRs that honour the Specific Character Set are encoded with it.
     *
     * @throws IllegalArgumentException if a value cannot be represented in the character set in force
     */
    public DicomObject putString(int tag, VR vr, String... values) {
        String joined = String.join("\\", values);
        Charset cs = StandardCharsets.US_ASCII;
        if (vr.usesSpecificCharacterSet()) {
            try {
                cs = tag == Tag.SpecificCharacterSet ? StandardCharsets.US_ASCII : charset();
            } catch (UnsupportedCharacterSetException e) {
                throw new IllegalArgumentException("cannot encode " + Tag.toString(tag) + ": " + e.getMessage(), e);
            }
        }
        byte[] b = encode(tag, joined, cs);
        elements.put(tag, new DicomElement(tag, vr, pad(b, vr.paddingByte()), null));
        return this;
    }

    private static byte[] encode(int tag, String s, Charset cs) {
        CharsetEncoder enc = cs.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            ByteBuffer bb = enc.encode(CharBuffer.wrap(s));
            byte[] out = new byte[bb.remaining()];
            bb.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("value of " + Tag.toString(tag) + " is not representable in " + cs, e);
        }
    }

    /** Sets binary integers (US, SS, UL, SL, AT) or IS text. */
    public DicomObject putInts(int tag, VR vr, int... values) {
        switch (vr) {
            case US, SS -> {
                ByteBuffer bb = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
                for (int v : values) {
                    if (vr == VR.US ? (v < 0 || v > 0xFFFF) : (v < Short.MIN_VALUE || v > Short.MAX_VALUE)) {
                        throw new IllegalArgumentException(v + " out of range for " + vr + " " + Tag.toString(tag));
                    }
                    bb.putShort((short) v);
                }
                elements.put(tag, new DicomElement(tag, vr, bb.array(), null));
            }
            case UL, SL -> {
                ByteBuffer bb = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (int v : values) {
                    bb.putInt(v);
                }
                elements.put(tag, new DicomElement(tag, vr, bb.array(), null));
            }
            case AT -> {
                ByteBuffer bb = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (int v : values) {
                    bb.putShort((short) (v >>> 16)).putShort((short) v);
                }
                elements.put(tag, new DicomElement(tag, vr, bb.array(), null));
            }
            case IS -> {
                String[] s = new String[values.length];
                for (int i = 0; i < values.length; i++) {
                    s[i] = Integer.toString(values[i]);
                }
                putString(tag, VR.IS, s);
            }
            default -> throw new IllegalArgumentException("putInts does not encode VR " + vr);
        }
        return this;
    }

    /** Sets FD/FL binary values or DS text (each rendered in at most 16 characters, PS3.5 6.2). */
    public DicomObject putDoubles(int tag, VR vr, double... values) {
        switch (vr) {
            case FD -> {
                ByteBuffer bb = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
                for (double v : values) {
                    bb.putDouble(v);
                }
                elements.put(tag, new DicomElement(tag, vr, bb.array(), null));
            }
            case FL -> {
                ByteBuffer bb = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (double v : values) {
                    bb.putFloat((float) v);
                }
                elements.put(tag, new DicomElement(tag, vr, bb.array(), null));
            }
            case DS -> {
                String[] s = new String[values.length];
                for (int i = 0; i < values.length; i++) {
                    s[i] = formatDS(values[i]);
                }
                putString(tag, VR.DS, s);
            }
            default -> throw new IllegalArgumentException("putDoubles does not encode VR " + vr);
        }
        return this;
    }

    /** Shortest decimal string of at most 16 characters that DS allows; drops precision only when it must. */
    static String formatDS(double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("DS cannot hold " + v);
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        String s = Double.toString(v);
        if (s.length() <= 16) {
            return s;
        }
        for (int digits = 16; digits > 0; digits--) {
            String t = new BigDecimal(v).round(new MathContext(digits)).stripTrailingZeros().toString();
            if (t.length() <= 16) {
                return t;
            }
        }
        throw new IllegalArgumentException("DS cannot hold " + v);
    }

    /** Sets raw value bytes (copied), padded to even length with the VR's padding byte. */
    public DicomObject putBytes(int tag, VR vr, byte[] value) {
        if (vr == VR.SQ) {
            throw new IllegalArgumentException("use putSequence for SQ " + Tag.toString(tag));
        }
        if (tag == Tag.PixelData) {
            encapsulatedPixelData = null;
        }
        elements.put(tag, new DicomElement(tag, vr, pad(value.clone(), vr.paddingByte()), null));
        return this;
    }

    /**
     * Stores an already-encoded value as is, without copying or padding: for the reader, and for callers that
     * own the array and want to avoid a copy of pixel data.
     */
    public DicomObject putRaw(int tag, VR vr, byte[] value) {
        if (tag == Tag.PixelData) {
            encapsulatedPixelData = null;
        }
        elements.put(tag, new DicomElement(tag, vr, value, null));
        return this;
    }

    /** Sets a sequence; the list is copied, the items are not. */
    public DicomObject putSequence(int tag, List<DicomObject> items) {
        elements.put(tag, new DicomElement(tag, VR.SQ, null, new ArrayList<>(items)));
        return this;
    }

    public DicomObject putElement(DicomElement e) {
        if ((e.vr() == VR.SQ) != (e.items() != null) || (e.items() == null) == (e.value() == null)) {
            throw new IllegalArgumentException("element " + Tag.toString(e.tag())
                    + " needs items exactly when its VR is SQ, and a value otherwise");
        }
        if (e.tag() == Tag.PixelData) {
            encapsulatedPixelData = null;
        }
        elements.put(e.tag(), e);
        return this;
    }

    private static byte[] pad(byte[] b, byte padding) {
        if ((b.length & 1) == 0) {
            return b;
        }
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, b.length);
        out[b.length] = padding;
        return out;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (DicomElement e : elements.values()) {
            sb.append(Tag.toString(e.tag())).append(' ').append(e.vr());
            if (e.items() != null) {
                sb.append(" #items=").append(e.items().size());
            } else {
                sb.append(" #").append(e.value().length);
            }
            sb.append(String.format(Locale.ROOT, "%n"));
        }
        return sb.toString();
    }
}
