package org.ichtriage.dicom.net;

import java.util.Arrays;

/** A reusable append buffer with a hard limit, checked before it grows. */
final class ByteSink {
    private byte[] buf;
    private int size;
    private final long limit;

    ByteSink(int initial, long limit) {
        this.buf = new byte[initial];
        this.limit = limit;
    }

    /** @return false (and appends nothing) when the limit would be exceeded */
    boolean append(byte[] b, int off, int len) {
        long need = (long) size + len;
        if (need > limit) {
            return false;
        }
        if (need > buf.length) {
            long cap = Math.min(Math.max(need, (long) buf.length * 2), limit);
            buf = Arrays.copyOf(buf, (int) cap);
        }
        System.arraycopy(b, off, buf, size, len);
        size += len;
        return true;
    }

    int size() {
        return size;
    }

    byte[] take() {
        byte[] out = Arrays.copyOf(buf, size);
        size = 0;
        return out;
    }

    /** Drops a buffer grown by one large message, so an idle association holds little memory. */
    void reset(int keep) {
        size = 0;
        if (buf.length > keep) {
            buf = new byte[keep];
        }
    }
}
