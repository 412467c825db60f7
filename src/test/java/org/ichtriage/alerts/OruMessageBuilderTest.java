package org.ichtriage.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;

import org.ichtriage.alerts.hl7.OruMessageBuilder;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import ca.uhn.hl7v2.util.Terser;

class OruMessageBuilderTest {
    static final Instant NOW = Instant.parse("2026-12-01T00:11:00Z");

    private static ORU_R01 roundTrip(OruMessageBuilder b, AlertEvent e) throws Exception {
        String wire = b.build(e, NOW).encode();
        try (HapiContext ctx = new DefaultHapiContext()) {
            // parsed by a fresh context with HAPI's default validation of every primitive
            return (ORU_R01) ctx.getPipeParser().parse(wire);
        }
    }

    @Test
    void oruCarriesTheResultAndTheEventIdWithoutPatientNames() throws Exception {
        ObjectNode n = TestEvents.event("1.2.3.4", 1, true, false, 23.456);
        n.putObject("expansion").put("hematoma_expansion", "possible").put("absolute_change_ml", 4.5).put("previous_volume_ml", 18.9)
                .put("previous_event_id", "e0").put("previous_time", "2026-11-30T00:00:00Z");
        AlertEvent e = TestEvents.parse(n);
        OruMessageBuilder b = new OruMessageBuilder(new OruMessageBuilder.Options(false, "HOSP", "MIRTH", "RAD", "https://board.example.org/ui"));
        String wire = b.build(e, NOW).encode();
        assertFalse(wire.contains("Doe"), "no name without alerts.hl7.patient-identity: " + wire);
        assertFalse(wire.contains("19500102"), "no birth date without alerts.hl7.patient-identity");

        ORU_R01 m = roundTrip(b, e);
        Terser t = new Terser(m);
        assertEquals("ORU", t.get("/MSH-9-1"));
        assertEquals("R01", t.get("/MSH-9-2"));
        assertEquals("2.5.1", t.get("/MSH-12"));
        assertEquals(e.eventId(), t.get("/MSH-10"), "MSH-10 is the idempotency key");
        assertEquals("ICH-TRIAGE", t.get("/MSH-3"));
        assertEquals("HOSP", t.get("/MSH-4"));
        assertEquals("MIRTH", t.get("/MSH-5"));
        assertEquals("pk-0a1b2c3d4e5f", t.get("/.PID-3-1"));
        assertNull(t.get("/.PID-5-1"));
        assertEquals(e.eventId(), t.get("/.OBR-3-1"));
        assertEquals(e.accessionNumber(), t.get("/.OBR-2-1"));
        assertEquals(e.accessionNumber(), t.get("/.OBR-18"));
        assertEquals(e.studyInstanceUid(), t.get("/.OBR-20"));
        assertEquals("24725-4", t.get("/.OBR-4-1"));
        assertEquals("P", t.get("/.OBR-25"));

        Map<String, String> obx = Hl7Messages.observations(m);
        assertEquals("Y", obx.get(OruMessageBuilder.ICH_DETECTED).split("\\^")[0]);
        assertEquals("positive", obx.get(OruMessageBuilder.TRIAGE_CATEGORY).split("\\^")[0]);
        assertEquals("23.46|mL", obx.get(OruMessageBuilder.VOLUME));
        assertEquals("^21.11^-^25.80|mL", obx.get(OruMessageBuilder.INTERVAL));
        assertEquals("24.63|mL", obx.get(OruMessageBuilder.ABC2));
        assertEquals("possible", obx.get(OruMessageBuilder.EXPANSION));
        assertEquals("4.50|mL", obx.get(OruMessageBuilder.EXPANSION_CHANGE));
        assertEquals("N", obx.get(OruMessageBuilder.UNCERTAIN).split("\\^")[0]);
        assertEquals("slexnet-ich 1.2.0", obx.get(OruMessageBuilder.MODEL));
        assertEquals("ab".repeat(32), obx.get(OruMessageBuilder.MODEL_SHA256));
        assertTrue(obx.get(OruMessageBuilder.BOARD_LINK).startsWith("https://board.example.org/ui/studies/" + e.studyInstanceUid()),
                obx.get(OruMessageBuilder.BOARD_LINK));
        assertEquals("UCUM", t.get("/.OBSERVATION(2)/OBX-6-3"));
    }

    @Test
    void patientIdentityOnlyWhenAllowedAndRevisionsAreCorrections() throws Exception {
        AlertEvent e = TestEvents.parse(TestEvents.event("1.2.3.5", 2, true, true, 5));
        OruMessageBuilder b = new OruMessageBuilder(new OruMessageBuilder.Options(true, "", "", "", null));
        ORU_R01 m = roundTrip(b, e);
        Terser t = new Terser(m);
        assertEquals("Doe", t.get("/.PID-5-1"));
        assertEquals("Jane", t.get("/.PID-5-2"));
        assertEquals("19500102", t.get("/.PID-7"));
        assertEquals("C", t.get("/.OBR-25"), "a revision corrects the earlier result");
        assertEquals("C", t.get("/.OBSERVATION(0)/OBX-11"));
        assertEquals("indeterminate", Hl7Messages.observations(m).get(OruMessageBuilder.TRIAGE_CATEGORY).split("\\^")[0]);
        assertFalse(Hl7Messages.observations(m).containsKey(OruMessageBuilder.BOARD_LINK), "no board configured, no link");
    }
}
