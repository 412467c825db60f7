package org.ichtriage.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.ichtriage.events.ResultEvent;

class ExpansionAssessorTest {
    private static final Instant T0 = Instant.parse("2026-03-01T08:00:00Z");
    private final ExpansionAssessor defaults = new ExpansionAssessor(48, 6, 0.33);

    private static PatientHistoryEntry entry(String id, String study, double ml, double low, double high, Duration after) {
        return new PatientHistoryEntry(id, study, ml, low, high, T0.plus(after));
    }

    private ResultEvent.Expansion assess(PatientHistoryEntry prev, PatientHistoryEntry cur) {
        return defaults.assess(prev, cur).orElseThrow();
    }

    @Test
    void clearGrowthWithSeparateIntervalsIsYes() {
        PatientHistoryEntry prev = entry("e1", "s1", 10, 9.5, 10.5, Duration.ZERO);
        PatientHistoryEntry cur = entry("e2", "s2", 18, 17.2, 18.8, Duration.ofHours(6));
        ResultEvent.Expansion x = assess(prev, cur);
        assertEquals("yes", x.hematomaExpansion());
        assertEquals("e1", x.previousEventId());
        assertEquals(10.0, x.previousVolumeMl());
        assertEquals("2026-03-01T08:00:00Z", x.previousTime());
        assertEquals(6.0, x.hoursBetween(), 1e-12);
        assertEquals(8.0, x.absoluteChangeMl(), 1e-12);
        assertEquals(0.8, x.relativeChange(), 1e-12);
    }

    @Test
    void relativeLimitAloneCrossedWithOverlappingIntervalsIsPossible() {
        // +3.5 mL is under 6 mL but +35% is over 33%; the intervals overlap (12.0 <= 12.5).
        PatientHistoryEntry prev = entry("e1", "s1", 10, 7.5, 12.5, Duration.ZERO);
        PatientHistoryEntry cur = entry("e2", "s2", 13.5, 12.0, 15.0, Duration.ofHours(24));
        ResultEvent.Expansion x = assess(prev, cur);
        assertEquals("possible", x.hematomaExpansion());
        assertEquals(3.5, x.absoluteChangeMl(), 1e-12);
        assertEquals(0.35, x.relativeChange(), 1e-12);
        // The same volumes with tight intervals are a confident yes.
        assertEquals("yes", assess(entry("e1", "s1", 10, 9.8, 10.2, Duration.ZERO),
                entry("e2", "s2", 13.5, 13.2, 13.8, Duration.ofHours(24))).hematomaExpansion());
    }

    @Test
    void smallGrowthIsNoEvenWithSeparateIntervals() {
        ResultEvent.Expansion x = assess(entry("e1", "s1", 10, 9.9, 10.1, Duration.ZERO),
                entry("e2", "s2", 11, 10.9, 11.1, Duration.ofHours(12)));
        assertEquals("no", x.hematomaExpansion());
        assertEquals(1.0, x.absoluteChangeMl(), 1e-12);
        assertEquals(0.1, x.relativeChange(), 1e-12);
    }

    @Test
    void shrinkageIsNo() {
        ResultEvent.Expansion x = assess(entry("e1", "s1", 30, 28, 32, Duration.ZERO),
                entry("e2", "s2", 12, 11, 13, Duration.ofHours(30)));
        assertEquals("no", x.hematomaExpansion());
        assertEquals(-18.0, x.absoluteChangeMl(), 1e-12);
        assertEquals(-0.6, x.relativeChange(), 1e-12);
    }

    @Test
    void absoluteLimitAloneCrossedOnALargeBleedIsYes() {
        // 40 -> 47 mL: +7 mL is over 6 mL but +17.5% is under 33%.
        ResultEvent.Expansion x = assess(entry("e1", "s1", 40, 39, 41, Duration.ZERO),
                entry("e2", "s2", 47, 46, 48, Duration.ofHours(3)));
        assertEquals("yes", x.hematomaExpansion());
        assertEquals(0.175, x.relativeChange(), 1e-12);
    }

    @Test
    void limitsAreStrict() {
        // Exactly +6 mL (binary-exact values) and exactly +50% under a 0.5 relative limit are not expansion.
        assertEquals("no", assess(entry("e1", "s1", 20, 19, 21, Duration.ZERO),
                entry("e2", "s2", 26, 25.5, 26.5, Duration.ofHours(1))).hematomaExpansion());
        ExpansionAssessor half = new ExpansionAssessor(48, 6, 0.5);
        assertEquals("no", half.assess(entry("e1", "s1", 4, 3.9, 4.1, Duration.ZERO),
                entry("e2", "s2", 6, 5.9, 6.1, Duration.ofHours(1))).orElseThrow().hematomaExpansion());
        assertEquals("yes", half.assess(entry("e1", "s1", 4, 3.9, 4.1, Duration.ZERO),
                entry("e2", "s2", 6.25, 6.2, 6.3, Duration.ofHours(1))).orElseThrow().hematomaExpansion());
    }

    @Test
    void fromZeroOnlyTheAbsoluteLimitApplies() {
        ResultEvent.Expansion small = assess(entry("e1", "s1", 0, 0, 0.2, Duration.ZERO),
                entry("e2", "s2", 5, 4.5, 5.5, Duration.ofHours(8)));
        assertNull(small.relativeChange());
        assertEquals("no", small.hematomaExpansion());
        ResultEvent.Expansion large = assess(entry("e1", "s1", 0, 0, 0.2, Duration.ZERO),
                entry("e2", "s2", 7, 6.5, 7.5, Duration.ofHours(8)));
        assertNull(large.relativeChange());
        assertEquals("yes", large.hematomaExpansion());
    }

    @Test
    void windowBoundsTheComparison() {
        PatientHistoryEntry prev = entry("e1", "s1", 10, 9.5, 10.5, Duration.ZERO);
        assertEquals(Optional.empty(), defaults.assess(prev, entry("e2", "s2", 18, 17.5, 18.5, Duration.ofHours(49))));
        assertEquals("yes", assess(prev, entry("e2", "s2", 18, 17.5, 18.5, Duration.ofHours(48))).hematomaExpansion());
        assertTrue(new ExpansionAssessor(72, 6, 0.33).assess(prev, entry("e2", "s2", 18, 17.5, 18.5, Duration.ofHours(49))).isPresent());
        // Not earlier: the same moment, or a result that arrives late for an earlier study.
        assertEquals(Optional.empty(), defaults.assess(prev, entry("e2", "s2", 18, 17.5, 18.5, Duration.ZERO)));
        assertEquals(Optional.empty(), defaults.assess(entry("e2", "s2", 18, 17.5, 18.5, Duration.ofHours(5)), prev));
    }

    @Test
    void historyPicksTheMostRecentEarlierStudyWithinTheWindow() {
        PatientHistoryEntry tooOld = entry("old", "s0", 2, 1.8, 2.2, Duration.ofHours(-60));
        PatientHistoryEntry older = entry("e1", "s1", 5, 4.8, 5.2, Duration.ZERO);
        PatientHistoryEntry recent = entry("e2", "s2", 12, 11.5, 12.5, Duration.ofHours(10));
        PatientHistoryEntry sameStudy = entry("e3a", "s3", 13, 12.5, 13.5, Duration.ofHours(19));
        PatientHistoryEntry later = entry("e4", "s4", 40, 39, 41, Duration.ofHours(30));
        PatientHistoryEntry current = entry("e3b", "s3", 14, 13.6, 14.4, Duration.ofHours(20));
        List<PatientHistoryEntry> history = List.of(later, tooOld, recent, sameStudy, older);

        assertEquals("e2", defaults.previousFor(history, current).orElseThrow().eventId());
        ResultEvent.Expansion x = defaults.assess(history, current).orElseThrow();
        assertEquals("e2", x.previousEventId());
        assertEquals(2.0, x.absoluteChangeMl(), 1e-12);
        assertEquals("no", x.hematomaExpansion());
        assertEquals(Optional.empty(), defaults.assess(List.of(tooOld, sameStudy, later), current));
        assertEquals(Optional.empty(), defaults.assess(List.of(), current));
    }

    @Test
    void serialisesToTheSchemaShape() throws Exception {
        ResultEvent.Expansion fromZero = assess(entry("e1", "s1", 0, 0, 0, Duration.ZERO),
                entry("e2", "s2", 7, 6.5, 7.5, Duration.ofHours(8)));
        String json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(fromZero);
        assertTrue(json.contains("\"hematoma_expansion\":\"yes\""), json);
        assertTrue(json.contains("\"previous_time\":\"2026-03-01T08:00:00Z\""), json);
        assertTrue(!json.contains("relative_change"), "a null relative change is left out: " + json);
    }

    @Test
    void badInputsAreRefusedWithTheirName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> entry("e1", "s1", Double.NaN, 0, 1, Duration.ZERO));
        assertTrue(e.getMessage().contains("volumeMl"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> entry("e1", "s1", 5, 6, 4, Duration.ZERO));
        assertTrue(e.getMessage().contains("inverted"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ExpansionAssessor(0, 6, 0.33));
        assertThrows(IllegalArgumentException.class, () -> new ExpansionAssessor(48, Double.NaN, 0.33));
        assertThrows(IllegalArgumentException.class, () -> new ExpansionAssessor(48, 6, -1));
    }
}
