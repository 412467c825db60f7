package org.ichtriage.dicom.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PdusTest {
    private static AssociateRq sampleRq() {
        return new AssociateRq("ICHTRIAGE", "MODALITY", Pdus.APPLICATION_CONTEXT,
                DicomClient.propose(List.of(DicomUids.CT_IMAGE_STORAGE, DicomUids.VERIFICATION),
                        List.of(DicomUids.EXPLICIT_VR_LE, DicomUids.IMPLICIT_VR_LE)),
                new UserInfo(16384, Pdus.IMPLEMENTATION_CLASS_UID, Pdus.IMPLEMENTATION_VERSION));
    }

    @Test
    void associateRqRoundTrips() throws IOException {
        byte[] enc = Pdus.encodeAssociateRq(sampleRq());
        RawPdu raw = Pdus.read(new ByteArrayInputStream(enc), 0);
        assertEquals(Pdus.A_ASSOCIATE_RQ, raw.type());
        assertEquals(sampleRq(), Pdus.decodeAssociateRq(raw.body()));
    }

    @Test
    void associateAcRoundTrips() throws IOException {
        AssociateAc ac = new AssociateAc("ICHTRIAGE", "MODALITY", Pdus.APPLICATION_CONTEXT,
                List.of(new PresentationContextAc(1, 0, DicomUids.EXPLICIT_VR_LE), new PresentationContextAc(3, 3, DicomUids.IMPLICIT_VR_LE)),
                new UserInfo(262144, "1.2.3", "X"));
        RawPdu raw = Pdus.read(new ByteArrayInputStream(Pdus.encodeAssociateAc(ac)), 0);
        assertEquals(ac, Pdus.decodeAssociateAc(raw.body()));
    }

    @Test
    void twoGibHeaderIsRefusedBeforeAllocation() {
        byte[] hostile = {0x01, 0x00, 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xF0};
        PduException e = assertThrows(PduException.class, () -> Pdus.read(new ByteArrayInputStream(hostile), 262144));
        assertEquals(Abort.REASON_INVALID_PDU_PARAMETER_VALUE, e.abortReason());
        assertTrue(e.getMessage().contains("2147483632"), e.getMessage());
        byte[] pdata = {0x04, 0x00, 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xF0};
        assertThrows(PduException.class, () -> Pdus.read(new ByteArrayInputStream(pdata), 262144));
    }

    @Test
    void unknownPduTypeIsUnrecognized() {
        PduException e = assertThrows(PduException.class,
                () -> Pdus.read(new ByteArrayInputStream(new byte[] {0x09, 0, 0, 0, 0, 4, 0, 0, 0, 0}), 1000));
        assertEquals(Abort.REASON_UNRECOGNIZED_PDU, e.abortReason());
    }

    @Test
    void truncatedPduIsEof() {
        assertThrows(EOFException.class, () -> Pdus.read(new ByteArrayInputStream(new byte[] {0x04, 0, 0, 0, 0, 100, 1, 2}), 1000));
        assertDoesNotReturnData(new byte[0]);
    }

    private static void assertDoesNotReturnData(byte[] b) {
        try {
            assertNull(Pdus.read(new ByteArrayInputStream(b), 1000));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void fragmentationRespectsPeerLimitAndReassembles() throws IOException {
        byte[] data = new byte[100_003];
        new Random(1).nextBytes(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Pdus.writeMessage(out, 3, false, data, 0, data.length, 16384);
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        ByteArrayOutputStream re = new ByteArrayOutputStream();
        int pdus = 0;
        boolean last = false;
        RawPdu p;
        while ((p = Pdus.read(in, 16384)) != null) {
            pdus++;
            assertTrue(p.body().length <= 16384);
            for (Pdv v : Pdus.decodePData(p.body())) {
                assertFalse(last, "data after last fragment");
                assertEquals(3, v.presentationContextId());
                assertFalse(v.command());
                re.write(v.buffer(), v.offset(), v.length());
                last = v.last();
            }
        }
        assertTrue(last);
        assertEquals((100_003 + 16377) / 16378, pdus);
        assertArrayEquals(data, re.toByteArray());
    }

    @Test
    void pdvLongerThanPduIsRejected() {
        byte[] body = {0, 0, 0, 50, 1, 3, 9, 9};
        assertThrows(PduException.class, () -> Pdus.decodePData(body));
    }

    @Test
    void commandSetRoundTripsAndBoundsLengths() throws IOException {
        CommandSet rq = CommandSet.storeRq(7, DicomUids.CT_IMAGE_STORAGE, "1.2.3.4");
        CommandSet back = CommandSet.decode(rq.encode());
        assertEquals(CommandSet.C_STORE_RQ, back.commandField());
        assertEquals(7, back.messageId());
        assertEquals("1.2.3.4", back.getString(CommandSet.AFFECTED_SOP_INSTANCE_UID));
        assertTrue(back.hasDataSet());
        CommandSet rsp = CommandSet.decode(CommandSet.response(back, 0xA700, "broker down").encode());
        assertEquals(CommandSet.C_STORE_RSP, rsp.commandField());
        assertEquals(0xA700, rsp.status());
        assertEquals(7, rsp.getUs(CommandSet.MESSAGE_ID_BEING_RESPONDED_TO));
        assertEquals("broker down", rsp.getString(CommandSet.ERROR_COMMENT));
        byte[] bad = rq.encode();
        bad[4] = (byte) 0xFF;
        bad[7] = (byte) 0x7F;
        DimseException e = assertThrows(DimseException.class, () -> CommandSet.decode(bad));
        assertEquals(0, e.tag());
    }

    private static PresentationContextAc answerCt(String... syntaxes) {
        return ScpAssociation.answer(new PresentationContextRq(1, DicomUids.CT_IMAGE_STORAGE, List.of(syntaxes)));
    }

    @Test
    void negotiationAcceptsCtInLittleEndianOrLosslessAndVerificationUncompressed() {
        String rle = "1.2.840.10008.1.2.5";
        String jpegSv1 = "1.2.840.10008.1.2.4.70";
        String jpeg14 = "1.2.840.10008.1.2.4.57";
        String jpegLs = "1.2.840.10008.1.2.4.80";
        String j2k = "1.2.840.10008.1.2.4.90";
        String baseline = "1.2.840.10008.1.2.4.50";
        assertEquals(DicomUids.EXPLICIT_VR_LE, answerCt(DicomUids.IMPLICIT_VR_LE, DicomUids.EXPLICIT_VR_LE).transferSyntax());
        for (String lossless : List.of(rle, jpegSv1, jpeg14)) {
            PresentationContextAc ac = answerCt(lossless);
            assertEquals(PresentationContextAc.ACCEPTANCE, ac.result(), lossless);
            assertEquals(lossless, ac.transferSyntax());
        }
        // the proposer's first decodable choice wins; what we cannot decode is passed over
        assertEquals(rle, answerCt(jpegLs, rle, DicomUids.EXPLICIT_VR_LE).transferSyntax());
        assertEquals(DicomUids.EXPLICIT_VR_LE, answerCt(j2k, DicomUids.EXPLICIT_VR_LE, jpegSv1).transferSyntax());
        for (String refused : List.of(jpegLs, j2k, baseline, "1.2.840.10008.1.2.4.81", "1.2.840.10008.1.2.4.91",
                "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99")) {
            assertEquals(PresentationContextAc.TRANSFER_SYNTAXES_NOT_SUPPORTED, answerCt(refused).result(), refused);
        }
        assertEquals(PresentationContextAc.TRANSFER_SYNTAXES_NOT_SUPPORTED, ScpAssociation.answer(new PresentationContextRq(1,
                DicomUids.VERIFICATION, List.of(rle))).result());
        assertEquals(PresentationContextAc.ABSTRACT_SYNTAX_NOT_SUPPORTED, ScpAssociation.answer(new PresentationContextRq(1,
                "1.2.840.10008.5.1.4.1.1.4", List.of(DicomUids.IMPLICIT_VR_LE))).result());
    }

    /**
     * Seeded mutational fuzz: bit flips, byte overwrites, truncations and length-field extremes on
     * valid PDUs. Every outcome must be a parsed PDU or a typed IOException; never another
     * exception type, never an allocation past the limit (the heap is 2 GiB, a claimed length is 4 GiB).
     */
    @Test
    void fuzzPduParsers() {
        Random rnd = new Random(0x1C7);
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(Pdus.encodeAssociateRq(sampleRq()));
        seeds.add(Pdus.encodeAssociateAc(new AssociateAc("A", "B", Pdus.APPLICATION_CONTEXT,
                List.of(new PresentationContextAc(1, 0, DicomUids.EXPLICIT_VR_LE)), new UserInfo(0, "1.2", "V"))));
        ByteArrayOutputStream pd = new ByteArrayOutputStream();
        try {
            Pdus.writeMessage(pd, 1, true, CommandSet.storeRq(1, DicomUids.CT_IMAGE_STORAGE, "1.2.3").encode(), 0, 100, 0);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        seeds.add(pd.toByteArray());
        seeds.add(Pdus.releaseRq());
        seeds.add(Pdus.encodeAbort(new Abort(2, 6)));
        int parsed = 0;
        int rejected = 0;
        for (int i = 0; i < 200_000; i++) {
            byte[] b = seeds.get(rnd.nextInt(seeds.size())).clone();
            int mutations = 1 + rnd.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                int pos = rnd.nextInt(b.length);
                switch (rnd.nextInt(4)) {
                    case 0 -> b[pos] ^= (byte) (1 << rnd.nextInt(8));
                    case 1 -> b[pos] = (byte) rnd.nextInt(256);
                    case 2 -> b[pos] = (byte) (rnd.nextBoolean() ? 0xFF : 0x00);
                    default -> b = java.util.Arrays.copyOf(b, Math.max(1, pos));
                }
            }
            try {
                RawPdu p = Pdus.read(new ByteArrayInputStream(b), 262144);
                if (p == null) {
                    continue;
                }
                switch (p.type()) {
                    case Pdus.A_ASSOCIATE_RQ -> Pdus.decodeAssociateRq(p.body());
                    case Pdus.A_ASSOCIATE_AC -> Pdus.decodeAssociateAc(p.body());
                    case Pdus.P_DATA_TF -> {
                        for (Pdv v : Pdus.decodePData(p.body())) {
                            if (v.command() && v.last()) {
                                CommandSet.decode(java.util.Arrays.copyOfRange(v.buffer(), v.offset(), v.offset() + v.length()));
                            }
                        }
                    }
                    default -> { }
                }
                parsed++;
            } catch (IOException e) {
                rejected++;
            }
        }
        assertTrue(parsed > 1000 && rejected > 1000, "parsed " + parsed + " rejected " + rejected);
    }
}
