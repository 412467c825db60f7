package org.ichtriage.alerts.fhir;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.ichtriage.alerts.AlertEvent;
import org.ichtriage.alerts.Destinations;

import ca.uhn.fhir.context.FhirContext;

/**
 * The FHIR R4 transaction Bundle of one result event: a DiagnosticReport (preliminary, imaging, CT
 * head) with Observations for the volume, the triage category and the expansion, the ImagingStudy
 * referred to by its Study Instance UID, the model as a Device, and a Provenance naming that Device as
 * the author (R4 does not allow a Device as DiagnosticReport.performer; docs/decisions/alerts.md).
 * Every resource is created conditionally on an identifier made of the event id, so a Bundle sent
 * twice creates nothing twice on a server that supports conditional create.
 */
public final class FhirBundleBuilder {
    public static final String EVENT_SYSTEM = "urn:ich-triage:event-id";
    public static final String MODEL_SYSTEM = "urn:ich-triage:model-sha256";
    public static final String PATIENT_KEY_SYSTEM = "urn:ich-triage:patient-key";
    public static final String CODES = "urn:ich-triage:codes";
    public static final String CATEGORY_SYSTEM = "urn:ich-triage:triage-category";
    public static final String EXPANSION_SYSTEM = "urn:ich-triage:hematoma-expansion";
    static final String UCUM = "http://unitsofmeasure.org";
    static final String LOINC = "http://loinc.org";
    static final String OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category";
    static final String V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074";

    private final String boardUrl;

    public FhirBundleBuilder(String boardUrl) {
        this.boardUrl = boardUrl;
    }

    /** One context per process: creating it scans the model classes (seconds). */
    public static FhirContext context() {
        return FhirContext.forR4Cached();
    }

    public Bundle build(AlertEvent e, Instant now) {
        Date effective = Date.from(time(e.createdAt(), now));
        Reference subject = new Reference().setIdentifier(new Identifier().setSystem(PATIENT_KEY_SYSTEM)
                .setValue(e.patientKey() == null ? "unknown" : e.patientKey())).setType("Patient");

        Bundle b = new Bundle();
        b.setType(Bundle.BundleType.TRANSACTION);
        b.setIdentifier(new Identifier().setSystem(EVENT_SYSTEM).setValue(e.eventId()));
        b.setTimestamp(Date.from(now));

        Device device = new Device();
        String sha = e.modelSha256() == null ? "unknown" : e.modelSha256();
        device.addIdentifier().setSystem(MODEL_SYSTEM).setValue(sha);
        device.addDeviceName().setName(e.modelName() == null ? "unknown" : e.modelName())
                .setType(Device.DeviceNameType.MODELNAME);
        if (e.modelVersion() != null) {
            device.addVersion().setValue(e.modelVersion());
        }
        device.setType(new CodeableConcept().setText("Intracranial hemorrhage segmentation model (software)"));
        String deviceUrl = add(b, device, "identifier=" + MODEL_SYSTEM + "|" + sha);

        List<Reference> results = new ArrayList<>();
        Observation volume = observation(e, "volume", "ich-volume", "Intracranial hemorrhage volume", subject, deviceUrl, effective);
        volume.setValue(ml(e.volumeMl()));
        if (!Double.isNaN(e.intervalLowMl())) {
            volume.addComponent().setCode(code("ich-volume-interval-low", "Volume where p > 0.7")).setValue(ml(e.intervalLowMl()));
            volume.addComponent().setCode(code("ich-volume-interval-high", "Volume where p > 0.3")).setValue(ml(e.intervalHighMl()));
        }
        if (!Double.isNaN(e.abc2Ml())) {
            volume.addComponent().setCode(code("ich-volume-abc2", "Volume by ABC/2")).setValue(ml(e.abc2Ml()));
        }
        results.add(new Reference(add(b, volume, ifNoneExist(e, "volume"))));

        Observation category = observation(e, "triage-category", "ich-triage-category", "ICH triage category", subject, deviceUrl,
                effective);
        category.setValue(new CodeableConcept().addCoding(new Coding(CATEGORY_SYSTEM, e.category().wire(), display(e.category().wire())))
                .setText(e.category().wire()));
        category.addComponent().setCode(code("high-uncertainty", "High model uncertainty"))
                .setValue(new org.hl7.fhir.r4.model.BooleanType(e.highUncertainty()));
        category.addComponent().setCode(code("needs-review", "Needs review"))
                .setValue(new org.hl7.fhir.r4.model.BooleanType(e.needsReview()));
        results.add(new Reference(add(b, category, ifNoneExist(e, "triage-category"))));

        if (e.expansion() != null && e.expansion().verdict() != null) {
            Observation exp = observation(e, "expansion", "hematoma-expansion", "Hematoma expansion against the previous result",
                    subject, deviceUrl, effective);
            exp.setValue(new CodeableConcept().addCoding(new Coding(EXPANSION_SYSTEM, e.expansion().verdict(),
                    display(e.expansion().verdict()))));
            if (!Double.isNaN(e.expansion().absoluteChangeMl())) {
                exp.addComponent().setCode(code("ich-volume-change", "Volume change since the previous result"))
                        .setValue(ml(e.expansion().absoluteChangeMl()));
            }
            results.add(new Reference(add(b, exp, ifNoneExist(e, "expansion"))));
        }

        DiagnosticReport report = new DiagnosticReport();
        report.addIdentifier().setSystem(EVENT_SYSTEM).setValue(e.eventId());
        report.setStatus(DiagnosticReport.DiagnosticReportStatus.PRELIMINARY);
        report.addCategory(new CodeableConcept().addCoding(new Coding(V2_0074, "RAD", "Radiology")).setText("imaging"));
        report.setCode(new CodeableConcept().addCoding(new Coding(LOINC, "24725-4", "CT Head")).setText("CT head"));
        report.setSubject(subject);
        report.setEffective(new DateTimeType(effective));
        report.setIssued(Date.from(now));
        report.setResult(results);
        report.addImagingStudy(new Reference().setType("ImagingStudy")
                .setIdentifier(new Identifier().setSystem("urn:dicom:uid").setValue("urn:oid:" + e.studyInstanceUid())));
        report.setConclusion(conclusion(e));
        String reportUrl = add(b, report, "identifier=" + EVENT_SYSTEM + "|" + e.eventId());

        Provenance prov = new Provenance();
        prov.addTarget(new Reference(reportUrl));
        results.forEach(r -> prov.addTarget(new Reference(r.getReference())));
        prov.setRecordedElement(new InstantType(Date.from(now)));
        prov.addAgent().setType(new CodeableConcept().addCoding(new Coding(
                "http://terminology.hl7.org/CodeSystem/provenance-participant-type", "author", "Author")))
                .setWho(new Reference(deviceUrl));
        add(b, prov, null);
        return b;
    }

    private String conclusion(AlertEvent e) {
        StringBuilder s = new StringBuilder("Automated ICH triage (not a diagnosis): ").append(e.category().wire());
        if (!Double.isNaN(e.volumeMl())) {
            s.append(String.format(Locale.ROOT, "; hemorrhage volume %.1f mL", e.volumeMl()));
            if (!Double.isNaN(e.intervalLowMl())) {
                s.append(String.format(Locale.ROOT, " (interval %.1f-%.1f mL)", e.intervalLowMl(), e.intervalHighMl()));
            }
        }
        if (e.expansion() != null && e.expansion().verdict() != null) {
            s.append("; hematoma expansion: ").append(e.expansion().verdict());
        }
        if (e.highUncertainty()) {
            s.append("; high model uncertainty");
        }
        if (e.isRevision()) {
            s.append("; revision ").append(e.revision()).append(" of this series");
        }
        if (boardUrl != null) {
            s.append("; ").append(Destinations.studyLink(boardUrl, e.studyInstanceUid()));
        }
        return s.append('.').toString();
    }

    private static Observation observation(AlertEvent e, String suffix, String code, String text, Reference subject, String deviceUrl,
                                           Date effective) {
        Observation o = new Observation();
        o.addIdentifier().setSystem(EVENT_SYSTEM).setValue(e.eventId() + "/" + suffix);
        o.setStatus(Observation.ObservationStatus.PRELIMINARY);
        o.addCategory(new CodeableConcept().addCoding(new Coding(OBS_CATEGORY, "imaging", "Imaging")));
        o.setCode(code(code, text));
        o.setSubject(subject);
        o.setEffective(new DateTimeType(effective));
        o.setDevice(new Reference(deviceUrl));
        return o;
    }

    private static String ifNoneExist(AlertEvent e, String suffix) {
        return "identifier=" + EVENT_SYSTEM + "|" + e.eventId() + "/" + suffix;
    }

    private static CodeableConcept code(String code, String text) {
        return new CodeableConcept().addCoding(new Coding(CODES, code, text)).setText(text);
    }

    private static Quantity ml(double v) {
        return new Quantity().setValue(Math.round(v * 100) / 100.0).setUnit("mL").setSystem(UCUM).setCode("mL");
    }

    private static String display(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** Adds a POST entry with a fresh urn:uuid full URL; returns that URL for references within the Bundle. */
    private static String add(Bundle b, Resource r, String ifNoneExist) {
        String url = "urn:uuid:" + UUID.randomUUID();
        Bundle.BundleEntryComponent entry = b.addEntry().setFullUrl(url).setResource(r);
        entry.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl(r.fhirType());
        if (ifNoneExist != null) {
            entry.getRequest().setIfNoneExist(ifNoneExist);
        }
        return url;
    }

    private static Instant time(String iso, Instant fallback) {
        try {
            return iso == null ? fallback : Instant.parse(iso);
        } catch (DateTimeParseException ex) {
            return fallback;
        }
    }
}
