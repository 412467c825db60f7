package org.ichtriage.dicom.codec;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutational fuzzing of the dataset and Part 10 parsers: only DicomException may escape, and no parse
 * may allocate more than a small multiple of its input.
 */
class CodecFuzzTest {
    private static final long SEED = 0x1C4_7A1A6EL;
    private static final int ITERATIONS = 20_000;
    private static final int WARM_UP = 1_000;
    private static final ByteMutator MUTATOR = new ByteMutator(0xFFFFFFFF, 0xFFFFFFF0, 0x7FFFFFFF, 0x80000000, 0, 1, 2, 0xFFFE,
            0xE000FFFE, 0xE00DFFFE, 0xE0DDFFFE);

    /** A valid explicit dataset with defined- and undefined-length nesting, private data and pixels. */
    private static byte[] seedExplicit() {
        byte[] defined = DicomWriter.writeDataset(CodecRoundTripTest.sample(), TransferSyntax.EXPLICIT_VR_LE);
        byte[] item = new Bytes().explicitShort(Tag.ReferencedSOPInstanceUID, "UI", Bytes.a("1.2\0")).toArray();
        byte[] undefined = new Bytes()
                .explicitLongHeader(Tag.ReferencedSeriesSequence, "SQ", 0xFFFFFFFFL)
                .item(0xFFFFFFFFL)
                .explicitLongHeader(Tag.ReferencedInstanceSequence, "SQ", 0xFFFFFFFFL)
                .item(item.length).raw(item).seqEnd()
                .itemEnd()
                .seqEnd()
                .toArray();
        // The undefined-length sequence (0008,1115) sorts before everything but (0008,0005..0060) in sample().
        byte[] out = Arrays.copyOf(defined, defined.length + undefined.length);
        System.arraycopy(undefined, 0, out, defined.length, undefined.length);
        return out;
    }

    @Test
    void onlyDicomExceptionsAndBoundedAllocation() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        byte[] explicit = seedExplicit();
        DicomObject sample;
        try {
            sample = DicomReader.readDataset(explicit, TransferSyntax.EXPLICIT_VR_LE, DicomLimits.DEFAULT);
        } catch (DicomException e) {
            throw new AssertionError("the fuzz seed itself must parse", e);
        }
        byte[] implicit = DicomWriter.writeDataset(sample, TransferSyntax.IMPLICIT_VR_LE);
        byte[] part10 = DicomWriter.writePart10(sample, "1.2.840.10008.5.1.4.1.1.2", "1.2.3.4.5",
                TransferSyntax.EXPLICIT_VR_LE);
        List<byte[]> seeds = List.of(explicit, implicit, part10);
        Random r = new Random(SEED);
        int parsed = 0;
        int rejected = 0;
        long worstRatio = 0; // most bytes allocated by one parse, write and re-read
        for (int i = 0; i < ITERATIONS; i++) {
            int kind = i % 3;
            byte[] input = MUTATOR.mutate(seeds.get(kind).clone(), 0, r);
            long before = threads.getThreadAllocatedBytes(tid);
            try {
                DicomObject ds = switch (kind) {
                    case 0 -> DicomReader.readDataset(input, TransferSyntax.EXPLICIT_VR_LE, DicomLimits.DEFAULT);
                    case 1 -> DicomReader.readDataset(input, TransferSyntax.IMPLICIT_VR_LE, DicomLimits.DEFAULT);
                    default -> DicomReader.readPart10(input, DicomLimits.DEFAULT).dataset();
                };
                parsed++;
                // Whatever was accepted must also be writable and readable again.
                byte[] again = DicomWriter.writeDataset(ds, TransferSyntax.EXPLICIT_VR_LE);
                DicomReader.readDataset(again, TransferSyntax.EXPLICIT_VR_LE, DicomLimits.DEFAULT);
            } catch (DicomException e) {
                rejected++;
            } catch (Throwable t) {
                fail("iteration " + i + " (seed " + SEED + ", kind " + kind + ", " + input.length + " bytes) threw "
                        + t, t);
            }
            long allocated = threads.getThreadAllocatedBytes(tid) - before;
            // Value copies, the re-encoding and its re-read are each about one input's size; object overhead
            // per element adds a constant factor. 64 KiB covers class/regex warm-up and exception stack traces.
            long bound = 32L * input.length + (64 << 10);
            if (i < WARM_UP) {
                continue; // class loading and JIT allocate on first use, unrelated to the input
            }
            worstRatio = Math.max(worstRatio, allocated);
            assertTrue(allocated <= bound, "iteration " + i + ": allocated " + allocated + " bytes for "
                    + input.length + " input bytes (bound " + bound + ")");
        }
        System.out.printf("fuzz: %d iterations, %d parsed, %d rejected, most allocated in one iteration %d bytes%n",
                ITERATIONS, parsed, rejected, worstRatio);
        assertTrue(parsed > 100 && rejected > 1000, "mutations too weak or too strong: " + parsed + " parsed, "
                + rejected + " rejected");
    }
}
