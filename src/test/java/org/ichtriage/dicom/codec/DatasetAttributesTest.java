package org.ichtriage.dicom.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link DicomReader#readDatasetAttributes} is the ingest's read: it must accept and refuse exactly what the full read
 * does, give the same attributes, and only leave the top-level Pixel Data out.
 */
class DatasetAttributesTest {

    @Test
    void givesEveryAttributeOfTheFullReadButThePixelData() throws DicomException {
        for (String ts : List.of(TransferSyntax.EXPLICIT_VR_LE, TransferSyntax.IMPLICIT_VR_LE)) {
            byte[] bytes = DicomWriter.writeDataset(CodecRoundTripTest.sample(), ts);
            DicomObject full = DicomReader.readDataset(bytes, ts, DicomLimits.DEFAULT);
            DicomObject attributes = DicomReader.readDatasetAttributes(bytes, ts, DicomLimits.DEFAULT);
            assertNotNull(full.get(Tag.PixelData), "the sample has pixel data");
            assertFalse(attributes.contains(Tag.PixelData), ts);
            full.remove(Tag.PixelData);
            assertArrayEquals(DicomWriter.writeDataset(full, TransferSyntax.EXPLICIT_VR_LE),
                    DicomWriter.writeDataset(attributes, TransferSyntax.EXPLICIT_VR_LE), ts);
        }
    }

    @Test
    void leavesOutEncapsulatedPixelDataAfterCheckingItsItems() throws DicomException {
        short[] samples = new short[16 * 16];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (short) (i * 7 - 900);
        }
        byte[] part10 = TestEncoders.part10(TransferSyntax.RLE_LOSSLESS, 16, 16, 16, List.of(TestEncoders.rle(samples, 16, 16)));
        int offset = DicomReader.datasetOffset(part10);
        byte[] dataset = Arrays.copyOfRange(part10, offset, part10.length);
        DicomObject full = DicomReader.readDataset(dataset, TransferSyntax.RLE_LOSSLESS, DicomLimits.DEFAULT);
        DicomObject attributes = DicomReader.readDatasetAttributes(dataset, TransferSyntax.RLE_LOSSLESS, DicomLimits.DEFAULT);
        assertNotNull(full.encapsulatedPixelData());
        assertFalse(attributes.contains(Tag.PixelData));
        assertEquals(full.size() - 1, attributes.size());
        assertEquals(full.getInt(Tag.Rows, -1), attributes.getInt(Tag.Rows, -2));

        // an item tag broken inside the fragments: both reads refuse it, with the same reason
        int firstItem = indexOf(dataset, new byte[] {(byte) 0xFE, (byte) 0xFF, 0x00, (byte) 0xE0});
        assertTrue(firstItem > 0);
        byte[] broken = dataset.clone();
        broken[firstItem + 2] = 0x77;
        assertSameVerdict(broken, TransferSyntax.RLE_LOSSLESS, "broken fragment item");
    }

    /** Every truncation and every single-byte corruption of a small dataset: the same acceptance, the same message. */
    @Test
    void refusesExactlyWhatTheFullReadRefusesWithTheSameReason() {
        for (String ts : List.of(TransferSyntax.EXPLICIT_VR_LE, TransferSyntax.IMPLICIT_VR_LE)) {
            byte[] bytes = DicomWriter.writeDataset(CodecRoundTripTest.sample(), ts);
            int refused = 0;
            for (int cut = 0; cut < bytes.length; cut++) {
                refused += assertSameVerdict(Arrays.copyOf(bytes, cut), ts, "cut at " + cut) ? 0 : 1;
            }
            for (int at = 0; at < bytes.length; at++) {
                for (int value : new int[] {0x00, 0xFF, bytes[at] ^ 0x40}) {
                    byte[] corrupt = bytes.clone();
                    corrupt[at] = (byte) value;
                    refused += assertSameVerdict(corrupt, ts, "byte " + at + " set to " + value) ? 0 : 1;
                }
            }
            assertTrue(refused > bytes.length, ts + ": the corruptions must exercise refusals, " + refused + " refused");
        }
    }

    @Test
    void doesNotCopyThePixelData() throws DicomException {
        DicomObject ds = CodecRoundTripTest.sample();
        ds.putBytes(Tag.PixelData, VR.OW, new byte[2 * 512 * 512]);
        byte[] bytes = DicomWriter.writeDataset(ds, TransferSyntax.EXPLICIT_VR_LE);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        for (int warm = 0; warm < 50; warm++) {
            DicomReader.readDatasetAttributes(bytes, TransferSyntax.EXPLICIT_VR_LE, DicomLimits.DEFAULT);
            DicomReader.readDataset(bytes, TransferSyntax.EXPLICIT_VR_LE, DicomLimits.DEFAULT);
        }
        long before = threads.getThreadAllocatedBytes(tid);
        DicomReader.readDatasetAttributes(bytes, TransferSyntax.EXPLICIT_VR_LE, DicomLimits.DEFAULT);
        long attributesOnly = threads.getThreadAllocatedBytes(tid) - before;
        before = threads.getThreadAllocatedBytes(tid);
        DicomReader.readDataset(bytes, TransferSyntax.EXPLICIT_VR_LE, DicomLimits.DEFAULT);
        long full = threads.getThreadAllocatedBytes(tid) - before;
        System.out.printf("512x512 dataset of %d bytes: attributes read allocated %d bytes, full read %d%n", bytes.length,
                attributesOnly, full);
        assertTrue(full >= 2L * 512 * 512, "the full read copies the pixels: " + full);
        assertTrue(attributesOnly < 64 * 1024, "the attributes read must not copy the 512 KiB of pixels: " + attributesOnly);
    }

    /** @return true when both reads accepted */
    private static boolean assertSameVerdict(byte[] input, String ts, String what) {
        String full = verdict(() -> DicomReader.readDataset(input, ts, DicomLimits.DEFAULT));
        String attributes = verdict(() -> DicomReader.readDatasetAttributes(input, ts, DicomLimits.DEFAULT));
        assertEquals(full, attributes, ts + ", " + what);
        return full.equals("accepted");
    }

    private interface Read {
        DicomObject read() throws DicomException;
    }

    private static String verdict(Read read) {
        try {
            read.read();
            return "accepted";
        } catch (DicomException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    private static int indexOf(byte[] in, byte[] what) {
        outer:
        for (int i = 0; i + what.length <= in.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (in[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
