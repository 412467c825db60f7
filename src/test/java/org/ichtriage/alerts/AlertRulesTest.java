package org.ichtriage.alerts;

import org.ichtriage.events.TriageCategory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

class AlertRulesTest {
    @Test
    void categoryIsDerivedFromTheFlagsWhenTheEventHasNone() throws Exception {
        assertEquals(TriageCategory.POSITIVE, TriageCategory.derive(true, false));
        assertEquals(TriageCategory.INDETERMINATE, TriageCategory.derive(true, true));
        assertEquals(TriageCategory.NEGATIVE, TriageCategory.derive(false, true));
        assertEquals(TriageCategory.NEGATIVE, TriageCategory.derive(false, false));
        assertEquals(TriageCategory.INDETERMINATE, TestEvents.parse(TestEvents.event("1.2.3", 1, true, true, 12)).category());
    }

    @Test
    void triageCategoryOfTheEventWinsOverTheFlags() throws Exception {
        ObjectNode n = TestEvents.event("1.2.3", 1, true, false, 12);
        n.put("triage_category", "indeterminate");
        assertEquals(TriageCategory.INDETERMINATE, TestEvents.parse(n).category());
        n.put("triage_category", "something-new");
        assertEquals(TriageCategory.POSITIVE, TestEvents.parse(n).category(), "an unknown value falls back to the flags");
    }

    @Test
    void eventFieldsAreRead() throws Exception {
        ObjectNode n = TestEvents.event("1.2.3", 2, true, false, 12.5);
        n.putObject("expansion").put("hematoma_expansion", "yes").put("absolute_change_ml", 7.25).put("previous_volume_ml", 5.25)
                .put("previous_event_id", "e0").put("previous_time", "2026-11-30T00:00:00Z");
        n.put("a_field_from_the_future", 1);
        AlertEvent e = TestEvents.parse(n);
        assertEquals(n.get("event_id").asText(), e.eventId());
        assertEquals(2, e.revision());
        assertTrue(e.isRevision());
        assertEquals(12.5, e.volumeMl());
        assertEquals(12.5 * 0.9, e.intervalLowMl(), 1e-9);
        assertEquals("yes", e.expansion().verdict());
        assertEquals(7.25, e.expansion().absoluteChangeMl());
        assertEquals("pk-0a1b2c3d4e5f", e.patientKey());
        assertEquals("ab".repeat(32), e.modelSha256());
    }

    @Test
    void notAnEventIsUnreadable() {
        assertThrows(AlertEvent.UnreadableEventException.class, () -> AlertEvent.parse("not json".getBytes(StandardCharsets.UTF_8)));
        assertThrows(AlertEvent.UnreadableEventException.class, () -> AlertEvent.parse("{\"x\":1}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(AlertEvent.UnreadableEventException.class, () -> AlertEvent.parse(null));
    }

    @Test
    void minimumCategoryChoosesFirstResults() throws Exception {
        DeliveryRule r = new DeliveryRule(TriageCategory.INDETERMINATE, DeliveryRule.Revisions.CHANGED);
        assertTrue(r.decide(TestEvents.parse(TestEvents.event("s1", 1, true, false, 10))).send());
        assertTrue(r.decide(TestEvents.parse(TestEvents.event("s2", 1, true, true, 10))).send());
        DeliveryRule.Decision neg = r.decide(TestEvents.parse(TestEvents.event("s3", 1, false, false, 0)));
        assertFalse(neg.send());
        assertTrue(neg.reason().contains("below indeterminate"), neg.reason());
        DeliveryRule positiveOnly = new DeliveryRule(TriageCategory.POSITIVE, DeliveryRule.Revisions.ALL);
        assertFalse(positiveOnly.decide(TestEvents.parse(TestEvents.event("s4", 1, true, true, 10))).send());
    }

    @Test
    void revisionsAreSentOnlyWhenTheVerdictChangesUnlessAll() throws Exception {
        DeliveryRule changed = new DeliveryRule(TriageCategory.NEGATIVE, DeliveryRule.Revisions.CHANGED);
        DeliveryRule all = new DeliveryRule(TriageCategory.NEGATIVE, DeliveryRule.Revisions.ALL);
        for (DeliveryRule r : new DeliveryRule[] {changed, all}) {
            assertTrue(r.decide(TestEvents.parse(TestEvents.event("s", 1, true, false, 10))).send());
        }
        assertFalse(changed.decide(TestEvents.parse(TestEvents.event("s", 2, true, false, 11))).send(), "same verdict");
        assertTrue(all.decide(TestEvents.parse(TestEvents.event("s", 2, true, false, 11))).send(), "revisions=all");
        DeliveryRule.Decision d = changed.decide(TestEvents.parse(TestEvents.event("s", 3, true, true, 11)));
        assertTrue(d.send(), "positive -> indeterminate changes the verdict");
        assertTrue(d.reason().contains("positive -> indeterminate"), d.reason());
    }

    @Test
    void theSameEventReadAgainGetsTheSameDecision() throws Exception {
        DeliveryRule r = new DeliveryRule(TriageCategory.INDETERMINATE, DeliveryRule.Revisions.CHANGED);
        assertFalse(r.decide(TestEvents.parse(TestEvents.event("s", 1, false, false, 0))).send());
        AlertEvent revision = TestEvents.parse(TestEvents.event("s", 2, true, false, 10));
        assertTrue(r.decide(revision).send());
        assertTrue(r.decide(revision).send(), "a redelivered revision is not mistaken for an unchanged one");
    }

    @Test
    void aRevisionThatTakesBackASentAlertIsSentBelowTheMinimum() throws Exception {
        DeliveryRule r = new DeliveryRule(TriageCategory.INDETERMINATE, DeliveryRule.Revisions.CHANGED);
        assertTrue(r.decide(TestEvents.parse(TestEvents.event("s", 1, true, false, 10))).send());
        DeliveryRule.Decision back = r.decide(TestEvents.parse(TestEvents.event("s", 2, false, false, 0)));
        assertTrue(back.send(), "the receiver has a positive alert that is now negative");
        assertTrue(back.reason().contains("takes back"), back.reason());
        // a series never alerted on stays quiet when its revision is negative too
        assertFalse(r.decide(TestEvents.parse(TestEvents.event("t", 1, false, false, 0))).send());
        assertFalse(r.decide(TestEvents.parse(TestEvents.event("t", 2, false, false, 0))).send());
    }
}
