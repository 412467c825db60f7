package org.ichtriage.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Resource;
import org.ichtriage.alerts.fhir.FhirBundleBuilder;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

class FhirBundleBuilderTest {
    static <T extends Resource> List<T> all(Bundle b, Class<T> type) {
        return b.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(type::isInstance).map(type::cast).toList();
    }

    static Observation observation(Bundle b, String code) {
        return all(b, Observation.class).stream().filter(o -> o.getCode().getCodingFirstRep().getCode().equals(code)).findFirst()
                .orElseThrow(() -> new AssertionError("no Observation " + code));
    }

    @Test
    void bundleValidatesAgainstBaseR4AndCarriesTheResult() throws Exception {
        ObjectNode n = TestEvents.event("1.2.3.9", 1, true, false, 23.456);
        n.putObject("expansion").put("hematoma_expansion", "yes").put("absolute_change_ml", 9.5).put("previous_volume_ml", 13.9)
                .put("previous_event_id", "e0").put("previous_time", "2026-11-30T00:00:00Z");
        AlertEvent e = TestEvents.parse(n);
        // parsed back from its JSON, as a server receives it
        String json = FhirBundleBuilder.context().newJsonParser().encodeResourceToString(
                new FhirBundleBuilder("https://board.example.org").build(e, Instant.parse("2026-12-01T00:11:00Z")));
        assertFalse(json.contains("Doe"), "no patient name in FHIR");
        Bundle b = FhirBundleBuilder.context().newJsonParser().parseResource(Bundle.class, json);

        assertEquals(List.of(), FhirValidation.errors(b), json);
        for (Bundle.BundleEntryComponent entry : b.getEntry()) {
            assertEquals(List.of(), FhirValidation.errors(entry.getResource()), entry.getResource().fhirType());
        }

        assertEquals(Bundle.BundleType.TRANSACTION, b.getType());
        assertEquals(e.eventId(), b.getIdentifier().getValue());
        DiagnosticReport r = all(b, DiagnosticReport.class).get(0);
        assertEquals(DiagnosticReport.DiagnosticReportStatus.PRELIMINARY, r.getStatus());
        assertEquals(e.eventId(), r.getIdentifierFirstRep().getValue());
        assertEquals("24725-4", r.getCode().getCodingFirstRep().getCode());
        assertEquals("imaging", r.getCategoryFirstRep().getText());
        assertEquals("urn:oid:" + e.studyInstanceUid(), r.getImagingStudyFirstRep().getIdentifier().getValue());
        assertTrue(r.getConclusion().contains("positive") && r.getConclusion().contains("23.5 mL"), r.getConclusion());
        assertEquals(3, r.getResult().size());

        Observation vol = observation(b, "ich-volume");
        assertEquals(23.46, vol.getValueQuantity().getValue().doubleValue(), 1e-9);
        assertEquals("http://unitsofmeasure.org", vol.getValueQuantity().getSystem());
        assertEquals("mL", vol.getValueQuantity().getCode());
        assertEquals("positive", ((CodeableConcept) observation(b, "ich-triage-category").getValue()).getCodingFirstRep().getCode());
        assertEquals("yes", ((CodeableConcept) observation(b, "hematoma-expansion").getValue()).getCodingFirstRep().getCode());

        Device d = all(b, Device.class).get(0);
        assertEquals("ab".repeat(32), d.getIdentifierFirstRep().getValue());
        assertEquals("slexnet-ich", d.getDeviceNameFirstRep().getName());
        String deviceUrl = b.getEntry().stream().filter(x -> x.getResource() instanceof Device).findFirst().orElseThrow().getFullUrl();
        assertEquals(deviceUrl, vol.getDevice().getReference(), "the model is the Observation's device");
        Provenance p = all(b, Provenance.class).get(0);
        assertEquals(deviceUrl, p.getAgentFirstRep().getWho().getReference(), "and the author of the report");

        for (Bundle.BundleEntryComponent entry : b.getEntry()) {
            assertEquals(Bundle.HTTPVerb.POST, entry.getRequest().getMethod());
            if (!(entry.getResource() instanceof Provenance)) {
                assertTrue(entry.getRequest().getIfNoneExist().startsWith("identifier="), "conditional create: " + entry.getRequest().getUrl());
            }
        }
    }

    @Test
    void theValidatorIsLive() {
        Observation broken = new Observation(); // status and code are required by the base profile
        List<String> errors = FhirValidation.errors(broken);
        assertTrue(errors.stream().anyMatch(x -> x.contains("status")), errors.toString());
    }

    @Test
    void aNegativeWithoutExpansionValidatesToo() throws Exception {
        AlertEvent e = TestEvents.parse(TestEvents.event("1.2.3.10", 2, false, false, 0));
        Bundle b = new FhirBundleBuilder(null).build(e, Instant.now());
        assertEquals(List.of(), FhirValidation.errors(b));
        assertEquals(2, all(b, Observation.class).size());
        assertNotEquals(null, observation(b, "ich-triage-category"));
        assertTrue(all(b, DiagnosticReport.class).get(0).getConclusion().contains("revision 2"));
    }
}
