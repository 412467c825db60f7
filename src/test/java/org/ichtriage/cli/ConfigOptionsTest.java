package org.ichtriage.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

class ConfigOptionsTest {
    @Test
    void unknownIchVariablesAreOneWarningLine() {
        assertNull(ConfigOptions.unknownEnvironmentWarning(List.of()));
        assertEquals("ich-triage: warning: ignored environment variable ICH_DICOM_PROT: not a setting "
                + "(`ich-triage config` lists each setting's variable)", ConfigOptions.unknownEnvironmentWarning(List.of("ICH_DICOM_PROT")));
        String two = ConfigOptions.unknownEnvironmentWarning(List.of("ICH_A", "ICH_B"));
        assertEquals(1, two.lines().count());
        assertEquals(true, two.contains("variables ICH_A, ICH_B:"), two);
    }

    @Test
    void analyzeSaysWhichPatientKeyItUsed() {
        java.nio.file.Path key = java.nio.file.Path.of("/srv/ich/state/patient-key");
        String fresh = AnalyzeCommand.patientKeyNote(false, key, false);
        assertEquals(true, fresh.contains("NEW key created now in /srv/ich/state/patient-key: it is local and will not match"), fresh);
        assertEquals(true, AnalyzeCommand.patientKeyNote(false, key, true).contains("from /srv/ich/state/patient-key (matches a service"));
        assertEquals(true, AnalyzeCommand.patientKeyNote(true, key, false).contains("from results.patient-key-secret"));
    }
}
