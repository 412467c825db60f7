package org.ichtriage.alerts;

import java.util.LinkedHashMap;
import java.util.Map;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import ca.uhn.hl7v2.model.v251.segment.OBX;

/** Reading ORU^R01 messages back in the tests: the OBX rows by their code. */
final class Hl7Messages {
    private Hl7Messages() {}

    /** OBX-3.1 -> OBX-5 as encoded (components joined by ^), and OBX-6.1 after a '|' when set. */
    static Map<String, String> observations(ORU_R01 m) throws HL7Exception {
        Map<String, String> out = new LinkedHashMap<>();
        var order = m.getPATIENT_RESULT().getORDER_OBSERVATION();
        for (int i = 0; i < order.getOBSERVATIONReps(); i++) {
            OBX obx = order.getOBSERVATION(i).getOBX();
            String value = obx.getObservationValue(0).getData().encode();
            String unit = obx.getUnits().getIdentifier().getValue();
            out.put(obx.getObservationIdentifier().getIdentifier().getValue(), unit == null ? value : value + "|" + unit);
        }
        return out;
    }
}
