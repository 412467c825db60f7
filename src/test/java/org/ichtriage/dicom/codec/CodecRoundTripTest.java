package org.ichtriage.dicom.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class CodecRoundTripTest {
    static final int PRIVATE_CREATOR = 0x00090010;
    static final int PRIVATE_VALUE = 0x00091001;
    /** (0018,9327) Table Position, FD in the dictionary: exercises binary doubles inside an item. */
    static final int TABLE_POSITION = 0x00189327;

    /** A CT-like dataset with nested sequences and a private block, built through the public API. */
    static DicomObject sample() {
        DicomObject ds = new DicomObject();
        ds.putString(Tag.SpecificCharacterSet, VR.CS, "ISO_IR 100");
        ds.putString(Tag.ImageType, VR.CS, "ORIGINAL", "PRIMARY", "AXIAL");
        ds.putString(Tag.SOPClassUID, VR.UI, "1.2.840.10008.5.1.4.1.1.2");
        ds.putString(Tag.SOPInstanceUID, VR.UI, "1.2.3.4.5");
        ds.putString(Tag.Modality, VR.CS, "CT");
        ds.putString(Tag.PatientName, VR.PN, "Müller^Jörg");
        ds.putString(PRIVATE_CREATOR, VR.LO, "ICHTEST_01");
        ds.putBytes(PRIVATE_VALUE, VR.OB, new byte[] {1, 2, 3, 4, 5, 6});
        ds.putString(Tag.SeriesInstanceUID, VR.UI, "1.2.3.4");
        ds.putInts(Tag.InstanceNumber, VR.IS, 7);
        ds.putDoubles(Tag.ImagePositionPatient, VR.DS, -125.0, -118.5, 42.25);
        ds.putDoubles(Tag.ImageOrientationPatient, VR.DS, 1, 0, 0, 0, 0.9483236552, -0.3173046564);
        ds.putInts(Tag.Rows, VR.US, 4);
        ds.putInts(Tag.Columns, VR.US, 4);
        ds.putDoubles(Tag.PixelSpacing, VR.DS, 0.48828125, 0.48828125);
        ds.putDoubles(Tag.RescaleSlope, VR.DS, 1);
        ds.putDoubles(Tag.RescaleIntercept, VR.DS, -1024);
        DicomObject code = new DicomObject();
        code.putString(Tag.CodeValue, VR.SH, "T-A0100");
        code.putString(Tag.CodingSchemeDesignator, VR.SH, "SRT");
        code.putString(Tag.CodeMeaning, VR.LO, "Brain");
        DicomObject segment = new DicomObject();
        segment.putInts(Tag.SegmentNumber, VR.US, 1);
        segment.putString(Tag.SegmentLabel, VR.LO, "ICH");
        segment.putSequence(Tag.SegmentedPropertyTypeCodeSequence, List.of(code));
        segment.putDoubles(TABLE_POSITION, VR.FD, 0.5);
        DicomObject empty = new DicomObject();
        ds.putSequence(Tag.SegmentSequence, List.of(segment, empty));
        byte[] pixels = new byte[32];
        for (int i = 0; i < 16; i++) {
            pixels[2 * i] = (byte) (i * 37);
            pixels[2 * i + 1] = (byte) (i - 8);
        }
        ds.putBytes(Tag.PixelData, VR.OW, pixels);
        return ds;
    }

    /** Structural equality: same tags, same VRs (unless lenient), same bytes, same items recursively. */
    static void assertSameDataset(DicomObject a, DicomObject b, boolean compareVrs) {
        Iterator<DicomElement> ia = a.iterator();
        Iterator<DicomElement> ib = b.iterator();
        while (ia.hasNext() && ib.hasNext()) {
            DicomElement x = ia.next();
            DicomElement y = ib.next();
            assertEquals(Tag.toString(x.tag()), Tag.toString(y.tag()));
            if (compareVrs) {
                assertEquals(x.vr(), y.vr(), Tag.toString(x.tag()));
            }
            if (x.items() != null) {
                assertNotNull(y.items(), Tag.toString(x.tag()) + " lost its items");
                assertEquals(x.items().size(), y.items().size(), Tag.toString(x.tag()));
                for (int i = 0; i < x.items().size(); i++) {
                    assertSameDataset(x.items().get(i), y.items().get(i), compareVrs);
                }
            } else {
                assertArrayEquals(x.value(), y.value(), Tag.toString(x.tag()));
            }
        }
        assertFalse(ia.hasNext() || ib.hasNext(), "different numbers of elements");
    }

    @Test
    void explicitRoundTripIsByteIdentical() throws Exception {
        DicomObject ds = sample();
        byte[] enc = DicomWriter.writeDataset(ds, TransferSyntax.EXPLICIT_VR_LE);
        DicomObject back = DicomReader.readDataset(enc, TransferSyntax.EXPLICIT_VR_LE, DicomLimits.DEFAULT);
        assertSameDataset(ds, back, true);
        assertArrayEquals(enc, DicomWriter.writeDataset(back, TransferSyntax.EXPLICIT_VR_LE));
    }

    @Test
    void implicitRoundTripKeepsValuesAndPrivateBytes() throws Exception {
        DicomObject ds = sample();
        byte[] imp = DicomWriter.writeDataset(ds, TransferSyntax.IMPLICIT_VR_LE);
        DicomObject back = DicomReader.readDataset(imp, TransferSyntax.IMPLICIT_VR_LE, DicomLimits.DEFAULT);
        // Dictionary VRs come back for standard tags; the private value has no dictionary entry and is UN.
        assertSameDataset(ds, back, false);
        assertEquals(VR.UN, back.vr(PRIVATE_VALUE));
        assertEquals(VR.LO, back.vr(PRIVATE_CREATOR));
        assertEquals(VR.US, back.vr(Tag.Rows));
        assertEquals(VR.SQ, back.vr(Tag.SegmentSequence));
        assertEquals(4, back.getInt(Tag.Rows, -1));
        assertEquals("ICH", back.getSequence(Tag.SegmentSequence).get(0).getString(Tag.SegmentLabel));
        assertEquals(0.5, back.getSequence(Tag.SegmentSequence).get(0).getDoubles(TABLE_POSITION)[0]);
        // implicit -> explicit -> implicit gives the same implicit bytes again.
        byte[] exp = DicomWriter.writeDataset(back, TransferSyntax.EXPLICIT_VR_LE);
        DicomObject viaExplicit = DicomReader.readDataset(exp, TransferSyntax.EXPLICIT_VR_LE, DicomLimits.DEFAULT);
        assertArrayEquals(imp, DicomWriter.writeDataset(viaExplicit, TransferSyntax.IMPLICIT_VR_LE));
    }

    @Test
    void valuesAreDecoded() throws Exception {
        DicomObject ds = DicomReader.readDataset(DicomWriter.writeDataset(sample(), TransferSyntax.EXPLICIT_VR_LE),
                TransferSyntax.EXPLICIT_VR_LE, DicomLimits.DEFAULT);
        assertEquals("1.2.3.4", ds.getString(Tag.SeriesInstanceUID));
        assertArrayEquals(new String[] {"ORIGINAL", "PRIMARY", "AXIAL"}, ds.getStrings(Tag.ImageType));
        assertArrayEquals(new double[] {-125.0, -118.5, 42.25}, ds.getDoubles(Tag.ImagePositionPatient));
        assertArrayEquals(new double[] {0.48828125, 0.48828125}, ds.getDoubles(Tag.PixelSpacing));
        assertEquals(7, ds.getInt(Tag.InstanceNumber, -1));
        assertEquals(-1024.0, ds.getDoubles(Tag.RescaleIntercept)[0]);
        assertEquals(-3, ds.getInt(Tag.AccessionNumber, -3));
        assertNull(ds.getString(Tag.AccessionNumber));
        assertNull(ds.getDoubles(Tag.SliceThickness));
        assertEquals("Müller^Jörg", ds.getPersonName(Tag.PatientName));
        assertEquals(0.5, ds.getSequence(Tag.SegmentSequence).get(0).getDoubles(TABLE_POSITION)[0]);
        // UI is NUL-padded, others space-padded, both to even length.
        byte[] uid = ds.getBytes(Tag.SeriesInstanceUID);
        assertEquals(8, uid.length);
        assertEquals(0, uid[7]);
        assertArrayEquals(Bytes.a("CT"), ds.getBytes(Tag.Modality));
        assertArrayEquals(Bytes.a("ICH "), ds.getSequence(Tag.SegmentSequence).get(0).getBytes(Tag.SegmentLabel));
    }

    @Test
    void elementsIterateInAscendingTagOrderWhateverTheInsertionOrder() {
        DicomObject ds = new DicomObject();
        ds.putBytes(Tag.PixelData, VR.OW, new byte[2]);
        ds.putBytes(0x7FE10010, VR.LO, Bytes.a("XX"));
        ds.putString(Tag.PatientID, VR.LO, "A");
        ds.putString(Tag.SpecificCharacterSet, VR.CS, "ISO_IR 192");
        List<Integer> tags = new ArrayList<>();
        ds.forEach(e -> tags.add(e.tag()));
        assertEquals(List.of(Tag.SpecificCharacterSet, Tag.PatientID, Tag.PixelData, 0x7FE10010), tags);
        assertNotNull(ds.remove(Tag.PatientID));
        assertFalse(ds.contains(Tag.PatientID));
    }

    @Test
    void undefinedLengthSequencesAndItemsAreRead() throws Exception {
        // (0008,1115) SQ undefined { item undefined { (0008,1150) UI, (0008,1140) SQ undefined { item defined {} } } }
        byte[] uid = Bytes.a("1.2.840.10008.5.1.4.1.1.2\0");
        byte[] inner = new Bytes().explicitShort(Tag.ReferencedSOPInstanceUID, "UI", Bytes.a("1.2\0")).toArray();
        byte[] enc = new Bytes()
                .explicitShort(Tag.Modality, "CS", Bytes.a("CT"))
                .explicitLongHeader(Tag.ReferencedSeriesSequence, "SQ", 0xFFFFFFFFL)
                .item(0xFFFFFFFFL)
                .explicitShort(Tag.ReferencedSOPClassUID, "UI", uid)
                .explicitLongHeader(Tag.ReferencedInstanceSequence, "SQ", 0xFFFFFFFFL)
                .item(inner.length).raw(inner)
                .seqEnd()
                .itemEnd()
                .item(0)
                .seqEnd()
                .explicitShort(Tag.SeriesInstanceUID, "UI", Bytes.a("9.8\0"))
                .toArray();
        DicomObject ds = DicomReader.readDataset(enc, TransferSyntax.EXPLICIT_VR_LE, DicomLimits.DEFAULT);
        assertEquals(3, ds.size());
        List<DicomObject> items = ds.getSequence(Tag.ReferencedSeriesSequence);
        assertEquals(2, items.size());
        assertTrue(items.get(1).isEmpty());
        DicomObject first = items.get(0);
        assertEquals("1.2.840.10008.5.1.4.1.1.2", first.getString(Tag.ReferencedSOPClassUID));
        assertEquals("1.2", first.getSequence(Tag.ReferencedInstanceSequence).get(0)
                .getString(Tag.ReferencedSOPInstanceUID));
        assertEquals("9.8", ds.getString(Tag.SeriesInstanceUID));

        // Written back with defined lengths: same content, no delimiters, so shorter by exactly 3 delimiters (2 sequence, 1 item).
        byte[] defined = DicomWriter.writeDataset(ds, TransferSyntax.EXPLICIT_VR_LE);
        assertEquals(enc.length - 3 * 8, defined.length);
        assertSameDataset(ds, DicomReader.readDataset(defined, TransferSyntax.EXPLICIT_VR_LE, DicomLimits.DEFAULT), true);
    }

    @Test
    void implicitUndefinedLengthPrivateSequenceIsParsed() throws Exception {
        byte[] enc = new Bytes()
                .implicit(PRIVATE_CREATOR, Bytes.a("ACME"))
                .tag(0x00091010).u32(0xFFFFFFFFL)
                .item(0xFFFFFFFFL).implicit(Tag.Modality, Bytes.a("MR")).itemEnd()
                .seqEnd()
                .implicit(0x00091011, new byte[] {9, 8, 7, 6})
                .toArray();
        DicomObject ds = DicomReader.readDataset(enc, TransferSyntax.IMPLICIT_VR_LE, DicomLimits.DEFAULT);
        assertEquals("ACME", ds.getString(PRIVATE_CREATOR));
        assertEquals("MR", ds.getSequence(0x00091010).get(0).getString(Tag.Modality));
        assertEquals(VR.UN, ds.vr(0x00091011));
        assertArrayEquals(new byte[] {9, 8, 7, 6}, ds.getBytes(0x00091011));
    }

    @Test
    void explicitUndefinedLengthUnIsReadAsImplicitSequence() throws Exception {
        byte[] enc = new Bytes()
                .explicitLongHeader(0x00091010, "UN", 0xFFFFFFFFL)
                .item(0xFFFFFFFFL).implicit(Tag.Modality, Bytes.a("MR")).itemEnd()
                .seqEnd()
                .explicitShort(Tag.SeriesNumber, "IS", Bytes.a("12"))
                .toArray();
        DicomObject ds = DicomReader.readDataset(enc, TransferSyntax.EXPLICIT_VR_LE, DicomLimits.DEFAULT);
        assertEquals("MR", ds.getSequence(0x00091010).get(0).getString(Tag.Modality));
        assertEquals(VR.CS, ds.getSequence(0x00091010).get(0).vr(Tag.Modality));
        assertEquals(12, ds.getInt(Tag.SeriesNumber, 0));
    }

    @Test
    void part10HasPreambleMetaGroupLengthAndOurImplementation() throws Exception {
        DicomObject ds = sample();
        for (String ts : List.of(TransferSyntax.EXPLICIT_VR_LE, TransferSyntax.IMPLICIT_VR_LE)) {
            byte[] file = DicomWriter.writePart10(ds, "1.2.840.10008.5.1.4.1.1.2", "1.2.3.4.5", ts);
            assertEquals("DICM", new String(file, 128, 4, java.nio.charset.StandardCharsets.US_ASCII));
            Part10File p = DicomReader.readPart10(file, DicomLimits.DEFAULT);
            assertEquals(ts, p.transferSyntaxUid());
            assertEquals(Uids.IMPLEMENTATION_CLASS_UID, p.fileMeta().getString(Tag.ImplementationClassUID));
            assertEquals(DicomWriter.IMPLEMENTATION_VERSION_NAME, p.fileMeta().getString(Tag.ImplementationVersionName));
            assertEquals("1.2.3.4.5", p.fileMeta().getString(Tag.MediaStorageSOPInstanceUID));
            int groupLength = p.fileMeta().getInt(Tag.FileMetaInformationGroupLength, -1);
            // Group length counts the bytes after (0002,0000) (12 bytes) up to the dataset.
            byte[] header = DicomWriter.fileMetaHeader("1.2.840.10008.5.1.4.1.1.2", "1.2.3.4.5", ts, null);
            assertEquals(header.length - 132 - 12, groupLength);
            assertSameDataset(ds, p.dataset(), ts.equals(TransferSyntax.EXPLICIT_VR_LE));
        }
    }

    @Test
    void fileMetaHeaderPrependsToNetworkBytesUnchanged() throws Exception {
        byte[] network = DicomWriter.writeDataset(sample(), TransferSyntax.IMPLICIT_VR_LE);
        byte[] header = DicomWriter.fileMetaHeader("1.2.840.10008.5.1.4.1.1.2", "1.2.3.4.5",
                TransferSyntax.IMPLICIT_VR_LE, "MODALITY1");
        byte[] file = new byte[header.length + network.length];
        System.arraycopy(header, 0, file, 0, header.length);
        System.arraycopy(network, 0, file, header.length, network.length);
        Part10File p = DicomReader.readPart10(file, DicomLimits.DEFAULT);
        assertEquals("MODALITY1", p.fileMeta().getString(Tag.SourceApplicationEntityTitle));
        assertArrayEquals(network, DicomWriter.writeDataset(p.dataset(), TransferSyntax.IMPLICIT_VR_LE));
        assertThrows(IllegalArgumentException.class, () -> DicomWriter.fileMetaHeader("1.2", "1.2/../x\n",
                TransferSyntax.IMPLICIT_VR_LE, null));
    }

    @Test
    void part10WithoutPreambleIsAccepted() throws Exception {
        byte[] file = DicomWriter.writePart10(sample(), "1.2.840.10008.5.1.4.1.1.2", "1.2.3.4.5",
                TransferSyntax.EXPLICIT_VR_LE);
        byte[] noPreamble = java.util.Arrays.copyOfRange(file, 128, file.length);
        byte[] noDicm = java.util.Arrays.copyOfRange(file, 132, file.length);
        assertEquals("1.2.3.4", DicomReader.readPart10(noPreamble, DicomLimits.DEFAULT).dataset()
                .getString(Tag.SeriesInstanceUID));
        assertEquals("1.2.3.4", DicomReader.readPart10(noDicm, DicomLimits.DEFAULT).dataset()
                .getString(Tag.SeriesInstanceUID));
    }

    @Test
    void unsupportedTransferSyntaxIsTyped() {
        byte[] file = DicomWriter.writePart10(sample(), "1.2.840.10008.5.1.4.1.1.2", "1.2.3", TransferSyntax.EXPLICIT_VR_LE);
        // Patch the TS value in place: "1.2.840.10008.1.2.1\0" -> "1.2.840.10008.1.2.2\0" (big endian), same length.
        String s = new String(file, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = s.indexOf(TransferSyntax.EXPLICIT_VR_LE + "\0");
        file[at + TransferSyntax.EXPLICIT_VR_LE.length() - 1] = '2';
        UnsupportedTransferSyntaxException e = assertThrows(UnsupportedTransferSyntaxException.class,
                () -> DicomReader.readPart10(file, DicomLimits.DEFAULT));
        assertEquals(TransferSyntax.EXPLICIT_VR_BE, e.transferSyntaxUid());
        assertTrue(e.getMessage().contains(TransferSyntax.EXPLICIT_VR_BE));
        UnsupportedTransferSyntaxException jls = assertThrows(UnsupportedTransferSyntaxException.class,
                () -> DicomReader.readDataset(new byte[0], TransferSyntax.JPEG_LS_LOSSLESS, DicomLimits.DEFAULT));
        assertEquals(TransferSyntax.JPEG_LS_LOSSLESS, jls.transferSyntaxUid());
        assertThrows(UnsupportedTransferSyntaxException.class,
                () -> DicomReader.readDataset(new byte[0], TransferSyntax.JPEG_2000_LOSSLESS, DicomLimits.DEFAULT));
        assertThrows(UnsupportedTransferSyntaxException.class,
                () -> DicomReader.readDataset(new byte[0], TransferSyntax.JPEG_BASELINE, DicomLimits.DEFAULT));
        assertFalse(TransferSyntax.isSupported(TransferSyntax.JPEG_LS_LOSSLESS));
        assertFalse(TransferSyntax.isSupported(TransferSyntax.JPEG_2000_LOSSLESS));
        assertTrue(TransferSyntax.isSupported(TransferSyntax.RLE_LOSSLESS));
        assertTrue(TransferSyntax.isSupported(TransferSyntax.JPEG_LOSSLESS_SV1));
        assertTrue(TransferSyntax.isSupported(TransferSyntax.JPEG_LOSSLESS));
        assertTrue(TransferSyntax.isSupported(TransferSyntax.IMPLICIT_VR_LE));
    }

    @Test
    void longTextInShortVrTravelsAsUn() throws Exception {
        DicomObject ds = new DicomObject();
        ds.putBytes(Tag.StudyDescription, VR.LO, new byte[70_000]);
        DicomObject back = DicomReader.readDataset(DicomWriter.writeDataset(ds, TransferSyntax.EXPLICIT_VR_LE),
                TransferSyntax.EXPLICIT_VR_LE, DicomLimits.DEFAULT);
        assertEquals(VR.UN, back.vr(Tag.StudyDescription));
        assertEquals(70_000, back.getBytes(Tag.StudyDescription).length);
    }

    @Test
    void dsFormattingFitsSixteenCharacters() {
        assertEquals("0.48828125", DicomObject.formatDS(0.48828125));
        assertEquals("-1024", DicomObject.formatDS(-1024));
        for (double v : new double[] {Math.PI, -Math.E * 1e-7, 1.0 / 3, 123456789.123456789, -9.87654321e200}) {
            String s = DicomObject.formatDS(v);
            assertTrue(s.length() <= 16, s);
            assertEquals(v, Double.parseDouble(s), Math.abs(v) * 1e-9, s);
        }
        assertThrows(IllegalArgumentException.class, () -> DicomObject.formatDS(Double.NaN));
    }

    @Test
    void tagsAndVrs() {
        assertEquals("(0020,000E)", Tag.toString(Tag.SeriesInstanceUID));
        assertEquals(0x0020000E, Tag.SeriesInstanceUID);
        assertEquals("(7FE0,0010)", Tag.toString(Tag.PixelData));
        assertEquals(VR.UI, VR.forTag(Tag.SeriesInstanceUID));
        assertEquals(VR.SQ, VR.forTag(Tag.PerFrameFunctionalGroupsSequence));
        assertEquals(VR.OW, VR.forTag(Tag.PixelData));
        assertEquals(VR.UL, VR.forTag(0x00280000));
        assertEquals(VR.LO, VR.forTag(0x00190010));
        assertEquals(VR.UN, VR.forTag(0x00191002));
        assertEquals("SeriesInstanceUID", VR.keyword(Tag.SeriesInstanceUID));
        assertTrue(VR.OB.hasLongLength() && VR.UN.hasLongLength() && VR.UV.hasLongLength() && VR.UC.hasLongLength());
        assertFalse(VR.US.hasLongLength() || VR.DS.hasLongLength() || VR.AT.hasLongLength());
        assertEquals(VR.SQ, VR.fromCode('S', 'Q'));
        assertNull(VR.fromCode('Q', 'Q'));
        assertNull(VR.fromCode(0, 0));
    }

    @Test
    void uids() {
        String u = Uids.newUid();
        assertTrue(Uids.isValid(u), u);
        assertTrue(u.startsWith("2.25."));
        assertTrue(Uids.isValid(Uids.IMPLEMENTATION_CLASS_UID));
        assertEquals(Uids.IMPLEMENTATION_CLASS_UID,
                Uids.fromUuid(java.util.UUID.fromString("6f1c2b8e-9d4a-4e3b-8a51-2d7f0c9e4b13")));
        assertFalse(Uids.isValid("1.02.3"));
        assertFalse(Uids.isValid("1..2"));
        assertFalse(Uids.isValid(".1"));
        assertFalse(Uids.isValid("1.2."));
        assertFalse(Uids.isValid("1.2.a"));
        assertFalse(Uids.isValid("1." + "1".repeat(63)));
        assertTrue(Uids.isValid("0.0"));
        for (String bad : new String[] {"../../etc/passwd", "..", ".", "1.2/3", "a\\b", "", null, "1..2",
                "\u0000x", "C:\\x", "/abs"}) {
            String f = Uids.sanitizeForFileName(bad);
            assertFalse(f.contains("/") || f.contains("\\") || f.contains("..") || f.startsWith(".")
                    || f.isEmpty() || f.chars().anyMatch(c -> c < 0x20), bad + " -> " + f);
        }
        assertEquals("1.2.3", Uids.sanitizeForFileName("1.2.3"));
        assertFalse(Uids.sanitizeForFileName("1.2/3").equals(Uids.sanitizeForFileName("1.2_3")));
    }
}
