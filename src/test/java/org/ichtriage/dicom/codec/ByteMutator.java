package org.ichtriage.dicom.codec;

import java.util.Arrays;
import java.util.Random;

/**
 * The fuzz tests' one mutation step: one to four random edits (bit flip, random byte, an interesting
 * 32-bit value, insertion, deletion, truncation) at or after a given offset. Deterministic for a
 * seeded {@link Random}, so a failing iteration can be replayed.
 */
final class ByteMutator {
    private final int[] interesting;

    /** @param interesting values worth writing over four bytes: lengths, tags and markers the parser branches on */
    ByteMutator(int... interesting) {
        this.interesting = interesting.clone();
    }

    /** Edits {@code in} in place where it can, and returns it or a resized copy; nothing before {@code from} changes. */
    byte[] mutate(byte[] in, int from, Random r) {
        byte[] b = in;
        int ops = 1 + r.nextInt(4);
        for (int op = 0; op < ops && b.length > from; op++) {
            int at = from + r.nextInt(b.length - from);
            switch (r.nextInt(6)) {
                case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b[at] = (byte) r.nextInt(256);
                case 2 -> {
                    int v = interesting[r.nextInt(interesting.length)];
                    for (int i = 0; i < 4 && at + i < b.length; i++) {
                        b[at + i] = (byte) (v >>> (8 * i));
                    }
                }
                case 3 -> {
                    byte[] ins = new byte[1 + r.nextInt(16)];
                    r.nextBytes(ins);
                    byte[] n = new byte[b.length + ins.length];
                    System.arraycopy(b, 0, n, 0, at);
                    System.arraycopy(ins, 0, n, at, ins.length);
                    System.arraycopy(b, at, n, at + ins.length, b.length - at);
                    b = n;
                }
                case 4 -> {
                    int len = Math.min(b.length - at, 1 + r.nextInt(32));
                    byte[] n = new byte[b.length - len];
                    System.arraycopy(b, 0, n, 0, at);
                    System.arraycopy(b, at + len, n, at, b.length - at - len);
                    b = n;
                }
                default -> b = Arrays.copyOf(b, at);
            }
        }
        return b;
    }
}
