package org.ichtriage.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.ichtriage.events.TriageCategory;
import org.ichtriage.inference.ReviewReason;
import org.ichtriage.inference.TriageFlags;
import org.junit.jupiter.api.Test;

/** The key images never shout a confident verdict the model is unsure of (issue 10, item 7). */
class FlagsLineTest {
    @Test
    void anUnsureLargeBleedReadsIndeterminateWithoutLargeVolume() {
        TriageFlags f = new TriageFlags(true, true, true, List.of(ReviewReason.HIGH_UNCERTAINTY));
        assertEquals(TriageCategory.INDETERMINATE, f.category());
        assertEquals("POSSIBLE ICH - INDETERMINATE / HIGH UNCERTAINTY / NEEDS REVIEW", DicomResultWriter.flagsLine(f));
    }

    @Test
    void aConfidentLargeBleedSaysSo() {
        TriageFlags f = new TriageFlags(true, true, false, List.of());
        assertEquals(TriageCategory.POSITIVE, f.category());
        assertEquals("ICH DETECTED / LARGE VOLUME", DicomResultWriter.flagsLine(f));
    }

    @Test
    void nothingFoundIsNegative() {
        TriageFlags f = new TriageFlags(false, false, false, List.of());
        assertEquals(TriageCategory.NEGATIVE, f.category());
        assertEquals("NO ICH", DicomResultWriter.flagsLine(f));
        assertEquals("negative", f.category().wire());
    }
}
