package org.ichtriage.dicom.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Each malformed input must give a DicomParseException that names the tag and offset, and allocate little. */
class HostileInputTest {
    private static DicomParseException parseFails(byte[] enc, String ts) {
        return assertThrows(DicomParseException.class, () -> DicomReader.readDataset(enc, ts, DicomLimits.DEFAULT));
    }

    @Test
    void elementLengthPastEnd() {
        byte[] enc = new Bytes().explicitShort(Tag.Modality, "CS", Bytes.a("CT"))
                .explicitLongHeader(Tag.PixelData, "OW", 1000).raw(new byte[512]).toArray();
        DicomParseException e = parseFails(enc, TransferSyntax.EXPLICIT_VR_LE);
        assertEquals(Tag.PixelData, e.tag());
        assertEquals(10, e.offset());
        assertEquals("element (7FE0,0010) at offset 10: length 1000 exceeds remaining 512 bytes", e.getMessage());
    }

    @Test
    void hugeLengthIsRefusedBeforeAllocation() {
        byte[] enc = new Bytes().tag(Tag.PixelData).u32(0xFFFFFFF0L).raw(new byte[64]).toArray();
        DicomParseException e = parseFails(enc, TransferSyntax.IMPLICIT_VR_LE);
        assertEquals(Tag.PixelData, e.tag());
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().contains("length 4294967280 exceeds remaining 64 bytes"), e.getMessage());
    }

    @Test
    void elementLimitIsEnforced() {
        byte[] enc = new Bytes().tag(Tag.PixelData).u32(2048).raw(new byte[2048]).toArray();
        DicomLimits small = new DicomLimits(1024, 4, 1 << 20, 10);
        DicomParseException e = assertThrows(DicomParseException.class,
                () -> DicomReader.readDataset(enc, TransferSyntax.IMPLICIT_VR_LE, small));
        assertTrue(e.getMessage().contains("exceeds the element limit of 1024"), e.getMessage());
        DicomLimits tinyTotal = new DicomLimits(1 << 20, 4, 100, 10);
        assertThrows(DicomParseException.class,
                () -> DicomReader.readDataset(enc, TransferSyntax.IMPLICIT_VR_LE, tinyTotal));
    }

    @Test
    void undefinedLengthSequenceThatNeverEnds() {
        Bytes b = new Bytes().explicitLongHeader(Tag.ReferencedSeriesSequence, "SQ", 0xFFFFFFFFL).item(0xFFFFFFFFL);
        for (int i = 0; i < 50; i++) {
            b.explicitShort(Tag.Modality, "CS", Bytes.a("CT"));
        }
        DicomParseException e = parseFails(b.toArray(), TransferSyntax.EXPLICIT_VR_LE);
        assertEquals(Tag.ReferencedSeriesSequence, e.tag());
        assertTrue(e.getMessage().contains("not terminated"), e.getMessage());
        // Items closed but the sequence itself never delimited.
        byte[] open = new Bytes().tag(Tag.ReferencedSeriesSequence).u32(0xFFFFFFFFL).item(0).item(0).toArray();
        DicomParseException e2 = parseFails(open, TransferSyntax.IMPLICIT_VR_LE);
        assertEquals(Tag.ReferencedSeriesSequence, e2.tag());
        assertEquals(24, e2.offset());
    }

    @Test
    void sequenceDepthBomb() {
        Bytes b = new Bytes();
        for (int i = 0; i < 10_000; i++) {
            b.tag(Tag.ReferencedSeriesSequence).u32(0xFFFFFFFFL).item(0xFFFFFFFFL);
        }
        DicomParseException e = parseFails(b.toArray(), TransferSyntax.IMPLICIT_VR_LE);
        assertEquals(Tag.ReferencedSeriesSequence, e.tag());
        assertTrue(e.getMessage().contains("depth 17 exceeds the limit of 16"), e.getMessage());
        assertEquals(16 * 16 + 8, e.offset());
    }

    @Test
    void itemCountLimit() {
        Bytes b = new Bytes().tag(Tag.ReferencedSeriesSequence).u32(0xFFFFFFFFL);
        for (int i = 0; i < 11; i++) {
            b.item(0);
        }
        byte[] enc = b.seqEnd().toArray();
        assertThrows(DicomParseException.class, () -> DicomReader.readDataset(enc, TransferSyntax.IMPLICIT_VR_LE,
                new DicomLimits(1 << 20, 4, 1 << 20, 10)));
    }

    @Test
    void encapsulatedPixelDataIsTyped() {
        byte[] enc = new Bytes().explicitLongHeader(Tag.PixelData, "OB", 0xFFFFFFFFL).item(0).seqEnd().toArray();
        DicomParseException e = parseFails(enc, TransferSyntax.EXPLICIT_VR_LE);
        assertEquals(Tag.PixelData, e.tag());
        assertTrue(e.getMessage().contains("encapsulated"), e.getMessage());
    }

    @Test
    void encapsulatedPixelDataIsBoundedInACompressedSyntax() {
        // an item longer than what remains, a missing delimiter, no offset table, a wrong tag
        byte[] overlong = new Bytes().explicitLongHeader(Tag.PixelData, "OB", 0xFFFFFFFFL).item(0).item(1000)
                .raw(new byte[10]).seqEnd().toArray();
        DicomParseException e = parseFails(overlong, TransferSyntax.RLE_LOSSLESS);
        assertInstanceOf(PixelDataException.class, e);
        assertEquals(Tag.PixelData, e.tag());
        assertEquals(20, e.offset(), e.getMessage());
        byte[] open = new Bytes().explicitLongHeader(Tag.PixelData, "OB", 0xFFFFFFFFL).item(0).item(2).raw(new byte[2])
                .toArray();
        assertTrue(parseFails(open, TransferSyntax.JPEG_LOSSLESS_SV1).getMessage().contains("not terminated"));
        byte[] noTable = new Bytes().explicitLongHeader(Tag.PixelData, "OB", 0xFFFFFFFFL).seqEnd().toArray();
        assertTrue(parseFails(noTable, TransferSyntax.JPEG_LOSSLESS).getMessage().contains("Basic Offset Table"));
        byte[] oddTable = new Bytes().explicitLongHeader(Tag.PixelData, "OB", 0xFFFFFFFFL).item(2).raw(new byte[2])
                .seqEnd().toArray();
        assertTrue(parseFails(oddTable, TransferSyntax.JPEG_LOSSLESS).getMessage().contains("multiple of 4"));
    }

    @Test
    void truncatedPreambleAndMissingDicm() {
        DicomParseException e = assertThrows(DicomParseException.class,
                () -> DicomReader.readPart10(new byte[100], DicomLimits.DEFAULT));
        assertEquals(100, e.offset());
        assertThrows(DicomParseException.class, () -> DicomReader.readPart10(new byte[0], DicomLimits.DEFAULT));
        DicomParseException e2 = assertThrows(DicomParseException.class,
                () -> DicomReader.readPart10(new byte[200], DicomLimits.DEFAULT));
        assertEquals(128, e2.offset());
        // Preamble and DICM, then a meta header cut in the middle of its first element.
        byte[] cut = new byte[132 + 6];
        cut[128] = 'D';
        cut[129] = 'I';
        cut[130] = 'C';
        cut[131] = 'M';
        cut[132] = 2;
        DicomParseException e3 = assertThrows(DicomParseException.class,
                () -> DicomReader.readPart10(cut, DicomLimits.DEFAULT));
        assertEquals(132, e3.offset());
        assertTrue(!(e3 instanceof NotPart10Exception), "a cut DICOM file is broken DICOM, not foreign: " + e3);
    }

    @Test
    void aTextFileIsNamedNotDicomBeforeTheDetail() {
        byte[] readme = "ich-triage sample export\nSee LICENSE for terms of use.\n".repeat(5)
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        DicomParseException e = assertThrows(NotPart10Exception.class, () -> DicomReader.readPart10(readme, DicomLimits.DEFAULT));
        assertTrue(e.getMessage().startsWith("not a DICOM Part 10 file ("), e.getMessage());
        assertTrue(e.getMessage().contains("no 'DICM' prefix") && e.getMessage().contains(readme.length + " bytes"), e.getMessage());
        assertEquals(128, e.offset());
    }

    @Test
    void truncatedHeadersAndStrayDelimiters() {
        DicomParseException e = parseFails(new byte[] {0x08, 0x00, 0x60, 0x00, 'C', 'S'}, TransferSyntax.EXPLICIT_VR_LE);
        assertEquals(Tag.Modality, e.tag());
        assertEquals(0, e.offset());
        parseFails(new byte[] {0x08, 0x00}, TransferSyntax.IMPLICIT_VR_LE);
        parseFails(new Bytes().itemEnd().toArray(), TransferSyntax.IMPLICIT_VR_LE);
        parseFails(new Bytes().seqEnd().toArray(), TransferSyntax.EXPLICIT_VR_LE);
        DicomParseException vr = parseFails(new Bytes().tag(Tag.Modality).ascii("ZZ").u16(0).toArray(),
                TransferSyntax.EXPLICIT_VR_LE);
        assertTrue(vr.getMessage().contains("unknown VR"), vr.getMessage());
    }

    @Test
    void itemLongerThanItsSequence() {
        byte[] enc = new Bytes().tag(Tag.ReferencedSeriesSequence).u32(16).item(100).raw(new byte[8]).toArray();
        DicomParseException e = parseFails(enc, TransferSyntax.IMPLICIT_VR_LE);
        assertEquals(Tag.ReferencedSeriesSequence, e.tag());
        assertEquals(8, e.offset());
    }

    @Test
    void randomBytesGiveTypedErrors() {
        Random r = new Random(42);
        int failures = 0;
        for (int i = 0; i < 2000; i++) {
            byte[] junk = new byte[r.nextInt(4096)];
            r.nextBytes(junk);
            for (String ts : new String[] {TransferSyntax.IMPLICIT_VR_LE, TransferSyntax.EXPLICIT_VR_LE}) {
                try {
                    DicomReader.readDataset(junk, ts, DicomLimits.DEFAULT);
                } catch (DicomParseException e) {
                    failures++;
                    assertTrue(e.offset() >= 0 && e.offset() <= junk.length, e.getMessage());
                } catch (DicomException e) {
                    throw new AssertionError("unexpected " + e, e);
                }
            }
            assertThrows(DicomException.class, () -> DicomReader.readPart10(junk, DicomLimits.DEFAULT));
        }
        // Only the empty array is a valid (empty) dataset; random bytes are essentially never well-formed.
        assertTrue(failures > 3900, "only " + failures + " of 4000 random inputs were rejected");
    }
}
