package org.ichtriage.dicom.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CharacterSetTest {
    private static DicomObject read(byte[] enc) throws DicomException {
        return DicomReader.readDataset(enc, TransferSyntax.EXPLICIT_VR_LE, DicomLimits.DEFAULT);
    }

    @Test
    void latin1PersonName() throws Exception {
        byte[] name = "Buch^Jérôme ".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(12, name.length);
        byte[] enc = new Bytes().explicitShort(Tag.SpecificCharacterSet, "CS", Bytes.a("ISO_IR 100"))
                .explicitShort(Tag.PatientName, "PN", name).toArray();
        DicomObject ds = read(enc);
        assertEquals("Buch^Jérôme", ds.getPersonName(Tag.PatientName));
        assertEquals("Buch^Jérôme", ds.getPersonNameStrict(Tag.PatientName));
    }

    @Test
    void utf8PersonNameAlsoInheritedBySequenceItems() throws Exception {
        byte[] name = "Wang^XiaoDong=王^小東".getBytes(StandardCharsets.UTF_8);
        byte[] padded = name.length % 2 == 0 ? name : java.util.Arrays.copyOf(name, name.length + 1);
        if (padded != name) {
            padded[name.length] = ' ';
        }
        byte[] item = new Bytes().explicitShort(Tag.PatientName, "PN", padded).toArray();
        byte[] enc = new Bytes().explicitShort(Tag.SpecificCharacterSet, "CS", Bytes.a("ISO_IR 192"))
                .explicitShort(Tag.PatientName, "PN", padded)
                .explicitLongHeader(Tag.SourceImageSequence, "SQ", 8 + item.length).item(item.length).raw(item)
                .toArray();
        DicomObject ds = read(enc);
        assertEquals("Wang^XiaoDong=王^小東", ds.getPersonName(Tag.PatientName));
        assertEquals("Wang^XiaoDong=王^小東",
                ds.getSequence(Tag.SourceImageSequence).get(0).getPersonName(Tag.PatientName));
    }

    @Test
    void defaultRepertoireAndEncodingThroughPutString() throws Exception {
        DicomObject ds = new DicomObject();
        ds.putString(Tag.PatientName, VR.PN, "Doe^John");
        assertEquals("Doe^John", read(DicomWriter.writeDataset(ds, TransferSyntax.EXPLICIT_VR_LE))
                .getPersonName(Tag.PatientName));
        // Without a Specific Character Set only ASCII is representable: refusing beats writing mojibake.
        assertThrows(IllegalArgumentException.class, () -> ds.putString(Tag.PatientName, VR.PN, "Jörg"));
        ds.putString(Tag.SpecificCharacterSet, VR.CS, "ISO_IR 192");
        ds.putString(Tag.PatientName, VR.PN, "Jörg^王");
        DicomObject back = read(DicomWriter.writeDataset(ds, TransferSyntax.EXPLICIT_VR_LE));
        assertEquals("Jörg^王", back.getPersonName(Tag.PatientName));
        assertEquals(List.of("J", "ö"), List.of(back.getPersonName(Tag.PatientName).substring(0, 1),
                back.getPersonName(Tag.PatientName).substring(1, 2)));
    }

    @Test
    void codeExtensionsAreATypedErrorOrADocumentedFallback() throws Exception {
        byte[] name = "Yamada^Tarou=\u001b$B;3ED\u001b(B".getBytes(StandardCharsets.ISO_8859_1);
        byte[] padded = java.util.Arrays.copyOf(name, name.length + (name.length & 1));
        byte[] enc = new Bytes().explicitShort(Tag.SpecificCharacterSet, "CS", Bytes.a("\\ISO 2022 IR 87 "))
                .explicitShort(Tag.PatientName, "PN", padded).toArray();
        DicomObject ds = read(enc);
        UnsupportedCharacterSetException e = assertThrows(UnsupportedCharacterSetException.class,
                () -> ds.getPersonNameStrict(Tag.PatientName));
        assertTrue(e.getMessage().contains("ISO 2022 IR 87"), e.getMessage());
        String lenient = ds.getPersonName(Tag.PatientName);
        assertTrue(lenient.startsWith("Yamada^Tarou="), lenient);
    }
}
