package org.ichtriage.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AnalysisMemoryTest {
    @Test
    void chunkedNativeMemoryStaysFlatWhileTheWholeVolumeCallGrowsWithTheSeries() {
        long chunked150 = AnalysisMemory.estimateBytes(150, 256, 256, 256, 16);
        long chunked600 = AnalysisMemory.estimateBytes(600, 256, 256, 256, 16);
        long whole600 = AnalysisMemory.estimateBytes(600, 256, 256, 256, 0);
        long plane = 256L * 256;
        // only the heap arrays grow with the series when chunked: 450 more slices of source and model planes
        assertEquals(450 * plane * (AnalysisMemory.BYTES_PER_SOURCE_PIXEL + AnalysisMemory.HEAP_BYTES_PER_INPUT_PIXEL),
                chunked600 - chunked150);
        assertTrue(whole600 > 5 * chunked600, whole600 + " vs " + chunked600);
        // a chunk at least as large as the volume is one call, like chunking off
        assertEquals(AnalysisMemory.estimateBytes(10, 512, 512, 256, 0), AnalysisMemory.estimateBytes(10, 512, 512, 256, 16));
    }
}
