package org.ichtriage.alerts.hl7;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

import org.ichtriage.alerts.AlertEvent;
import org.ichtriage.alerts.Destinations;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.DataTypeException;
import ca.uhn.hl7v2.model.Type;
import ca.uhn.hl7v2.model.v251.datatype.CE;
import ca.uhn.hl7v2.model.v251.datatype.CX;
import ca.uhn.hl7v2.model.v251.datatype.NM;
import ca.uhn.hl7v2.model.v251.datatype.RP;
import ca.uhn.hl7v2.model.v251.datatype.SN;
import ca.uhn.hl7v2.model.v251.datatype.ST;
import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import ca.uhn.hl7v2.model.v251.segment.MSH;
import ca.uhn.hl7v2.model.v251.segment.OBR;
import ca.uhn.hl7v2.model.v251.segment.OBX;
import ca.uhn.hl7v2.model.v251.segment.PID;

/**
 * Builds the HL7 v2.5.1 ORU^R01 of one result event with HAPI's message classes (docs/integrations.md
 * shows one). MSH-10 and OBR-3 carry the event id, the idempotency key; a revision is sent with result
 * status C (correction). Local codes use the coding system {@value #LOCAL}.
 */
public final class OruMessageBuilder {
    public static final String LOCAL = "99ICH";
    public static final String APPLICATION = "ICH-TRIAGE";
    static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyyMMddHHmmssZ", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** The OBX rows, by their local code; tests and docs refer to these. */
    public static final String ICH_DETECTED = "ICH_DETECTED";
    public static final String TRIAGE_CATEGORY = "TRIAGE_CATEGORY";
    public static final String VOLUME = "ICH_VOLUME";
    public static final String INTERVAL = "ICH_VOLUME_INTERVAL";
    public static final String ABC2 = "ICH_VOLUME_ABC2";
    public static final String EXPANSION = "HEMATOMA_EXPANSION";
    public static final String EXPANSION_CHANGE = "HEMATOMA_VOLUME_CHANGE";
    public static final String UNCERTAIN = "HIGH_UNCERTAINTY";
    public static final String NEEDS_REVIEW = "NEEDS_REVIEW";
    public static final String MODEL = "MODEL";
    public static final String MODEL_SHA256 = "MODEL_SHA256";
    public static final String STUDY_UID = "STUDY_INSTANCE_UID";
    public static final String BOARD_LINK = "BOARD_LINK";

    public record Options(boolean patientIdentity, String sendingFacility, String receivingApplication,
                          String receivingFacility, String boardUrl) {}

    private final Options options;

    public OruMessageBuilder(Options options) {
        this.options = options;
    }

    public ORU_R01 build(AlertEvent e, Instant now) throws HL7Exception {
        ORU_R01 m = new ORU_R01();
        String status = e.isRevision() ? "C" : "P";
        // MSH by hand: initQuickstart would draw a control id from a file it writes in the working folder
        MSH msh = m.getMSH();
        msh.getFieldSeparator().setValue("|");
        msh.getEncodingCharacters().setValue("^~\\&");
        msh.getMessageType().getMessageCode().setValue("ORU");
        msh.getMessageType().getTriggerEvent().setValue("R01");
        msh.getMessageType().getMessageStructure().setValue("ORU_R01");
        msh.getProcessingID().getProcessingID().setValue("P");
        msh.getVersionID().getVersionID().setValue("2.5.1");
        msh.getCharacterSet(0).setValue("UNICODE UTF-8");
        msh.getSendingApplication().getNamespaceID().setValue(APPLICATION);
        set(msh.getSendingFacility().getNamespaceID(), options.sendingFacility());
        set(msh.getReceivingApplication().getNamespaceID(), options.receivingApplication());
        set(msh.getReceivingFacility().getNamespaceID(), options.receivingFacility());
        msh.getDateTimeOfMessage().getTime().setValue(TS.format(now));
        msh.getMessageControlID().setValue(e.eventId());
        msh.getAcceptAcknowledgmentType().setValue("AL");
        msh.getApplicationAcknowledgmentType().setValue("NE");

        PID pid = m.getPATIENT_RESULT().getPATIENT().getPID();
        pid.getSetIDPID().setValue("1");
        CX key = pid.getPatientIdentifierList(0);
        key.getIDNumber().setValue(e.patientKey() == null ? "UNKNOWN" : e.patientKey());
        key.getAssigningAuthority().getNamespaceID().setValue(APPLICATION);
        key.getIdentifierTypeCode().setValue("PI");
        if (options.patientIdentity()) {
            if (e.patientName() != null && !e.patientName().isBlank()) {
                String[] pn = e.patientName().split("\\^", -1);
                pid.getPatientName(0).getFamilyName().getSurname().setValue(pn[0]);
                if (pn.length > 1) {
                    pid.getPatientName(0).getGivenName().setValue(pn[1]);
                }
            }
            if (e.patientBirthDate() != null && e.patientBirthDate().matches("\\d{8}")) {
                pid.getDateTimeOfBirth().getTime().setValue(e.patientBirthDate());
            }
        }

        var order = m.getPATIENT_RESULT().getORDER_OBSERVATION();
        OBR obr = order.getOBR();
        obr.getSetIDOBR().setValue("1");
        set(obr.getPlacerOrderNumber().getEntityIdentifier(), e.accessionNumber());
        obr.getFillerOrderNumber().getEntityIdentifier().setValue(e.eventId());
        obr.getFillerOrderNumber().getNamespaceID().setValue(APPLICATION);
        obr.getUniversalServiceIdentifier().getIdentifier().setValue("24725-4");
        obr.getUniversalServiceIdentifier().getText().setValue("CT Head");
        obr.getUniversalServiceIdentifier().getNameOfCodingSystem().setValue("LN");
        String when = ts(e.createdAt(), now);
        obr.getObservationDateTime().getTime().setValue(when);
        obr.getResultsRptStatusChngDateTime().getTime().setValue(when);
        set(obr.getPlacerField1(), e.accessionNumber());
        obr.getFillerField1().setValue(e.studyInstanceUid());
        obr.getDiagnosticServSectID().setValue("CT");
        obr.getResultStatus().setValue(status);

        Rows rows = new Rows(m, order, status, when);
        rows.ce(ICH_DETECTED, "Intracranial hemorrhage detected", e.ichDetected());
        CE cat = new CE(m);
        cat.getIdentifier().setValue(e.category().wire());
        cat.getText().setValue(e.category().wire());
        cat.getNameOfCodingSystem().setValue(LOCAL);
        rows.add("CE", TRIAGE_CATEGORY, "Triage category", cat, false);
        rows.nm(VOLUME, "Hemorrhage volume (segmentation)", e.volumeMl());
        if (!Double.isNaN(e.intervalLowMl()) && !Double.isNaN(e.intervalHighMl())) {
            SN sn = new SN(m);
            sn.getNum1().setValue(num(e.intervalLowMl()));
            sn.getSeparatorSuffix().setValue("-");
            sn.getNum2().setValue(num(e.intervalHighMl()));
            rows.add("SN", INTERVAL, "Hemorrhage volume interval (p>0.7 to p>0.3)", sn, true);
        }
        rows.nm(ABC2, "Hemorrhage volume ABC/2", e.abc2Ml());
        if (e.expansion() != null) {
            ST v = new ST(m);
            v.setValue(e.expansion().verdict());
            rows.add("ST", EXPANSION, "Hematoma expansion against the previous result", v, false);
            rows.nm(EXPANSION_CHANGE, "Hemorrhage volume change since the previous result", e.expansion().absoluteChangeMl());
        }
        rows.ce(UNCERTAIN, "High model uncertainty", e.highUncertainty());
        rows.ce(NEEDS_REVIEW, "Needs review", e.needsReview());
        ST model = new ST(m);
        model.setValue((e.modelName() == null ? "unknown" : e.modelName()) + " " + (e.modelVersion() == null ? "" : e.modelVersion()));
        rows.add("ST", MODEL, "Model name and version", model, false);
        if (e.modelSha256() != null) {
            ST sha = new ST(m);
            sha.setValue(e.modelSha256());
            rows.add("ST", MODEL_SHA256, "Model SHA-256", sha, false);
        }
        ST study = new ST(m);
        study.setValue(e.studyInstanceUid());
        rows.add("ST", STUDY_UID, "Study Instance UID", study, false);
        if (options.boardUrl() != null) {
            RP rp = new RP(m);
            rp.getPointer().setValue(Destinations.studyLink(options.boardUrl(), e.studyInstanceUid()));
            rp.getApplicationID().getNamespaceID().setValue(APPLICATION);
            rp.getTypeOfData().setValue("TEXT");
            rp.getSubtype().setValue("HTML");
            rows.add("RP", BOARD_LINK, "Triage board study page", rp, false);
        }
        return m;
    }

    /** Appends OBX rows in order, numbering them. */
    private static final class Rows {
        private final ORU_R01 m;
        private final ca.uhn.hl7v2.model.v251.group.ORU_R01_ORDER_OBSERVATION order;
        private final String status;
        private final String when;
        private int n;

        Rows(ORU_R01 m, ca.uhn.hl7v2.model.v251.group.ORU_R01_ORDER_OBSERVATION order, String status, String when) {
            this.m = m;
            this.order = order;
            this.status = status;
            this.when = when;
        }

        void add(String type, String code, String text, Type value, boolean mL) throws HL7Exception {
            OBX obx = order.getOBSERVATION(n).getOBX();
            n++;
            obx.getSetIDOBX().setValue(Integer.toString(n));
            obx.getValueType().setValue(type);
            obx.getObservationIdentifier().getIdentifier().setValue(code);
            obx.getObservationIdentifier().getText().setValue(text);
            obx.getObservationIdentifier().getNameOfCodingSystem().setValue(LOCAL);
            obx.getObservationValue(0).setData(value);
            if (mL) {
                obx.getUnits().getIdentifier().setValue("mL");
                obx.getUnits().getText().setValue("milliliter");
                obx.getUnits().getNameOfCodingSystem().setValue("UCUM");
            }
            obx.getObservationResultStatus().setValue(status);
            obx.getDateTimeOfTheObservation().getTime().setValue(when);
        }

        void nm(String code, String text, double v) throws HL7Exception {
            if (Double.isNaN(v)) {
                return;
            }
            NM nm = new NM(m);
            nm.setValue(num(v));
            add("NM", code, text, nm, true);
        }

        void ce(String code, String text, boolean yes) throws HL7Exception {
            CE ce = new CE(m);
            ce.getIdentifier().setValue(yes ? "Y" : "N");
            ce.getText().setValue(yes ? "Yes" : "No");
            ce.getNameOfCodingSystem().setValue("HL70136");
            add("CE", code, text, ce, false);
        }
    }

    static String num(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String ts(String iso, Instant fallback) {
        try {
            return iso == null ? TS.format(fallback) : TS.format(Instant.parse(iso));
        } catch (DateTimeParseException e) {
            return TS.format(fallback);
        }
    }

    private static void set(ca.uhn.hl7v2.model.Primitive p, String v) throws DataTypeException {
        if (v != null && !v.isEmpty()) {
            p.setValue(v);
        }
    }
}
