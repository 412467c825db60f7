package org.ichtriage.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.dicom.codec.VR;
import org.junit.jupiter.api.Test;

class StudyTimesTest {
    private static DicomObject ds(String date, String time, String offset) {
        DicomObject d = new DicomObject();
        if (date != null) d.putString(Tag.StudyDate, VR.DA, date);
        if (time != null) d.putString(Tag.StudyTime, VR.TM, time);
        if (offset != null) d.putString(StudyTimes.TIMEZONE_OFFSET_FROM_UTC, VR.SH, offset);
        return d;
    }

    @Test
    void readsDateTimeWithFractionAndTheModalityOffset() {
        assertEquals(Instant.parse("2030-03-04T07:15:30.250Z"),
                StudyTimes.studyTime(ds("20300304", "081530.25", "+0100"), ZoneOffset.UTC).orElseThrow());
        assertEquals(Instant.parse("2030-03-04T08:00:00Z"), StudyTimes.studyTime(ds("20300304", "08", null), ZoneOffset.UTC).orElseThrow());
        assertEquals(Instant.parse("2030-03-04T07:00:00Z"),
                StudyTimes.studyTime(ds("20300304", "08:00:00", null), ZoneId.of("Europe/Paris")).orElseThrow());
    }

    @Test
    void unreadableOrMissingDateGivesEmpty() {
        assertTrue(StudyTimes.studyTime(ds(null, "0800", null), ZoneOffset.UTC).isEmpty());
        assertTrue(StudyTimes.studyTime(ds("2030-03-04", "0800", null), ZoneOffset.UTC).isEmpty());
        assertTrue(StudyTimes.studyTime(ds("20301304", "0800", null), ZoneOffset.UTC).isEmpty());
        assertTrue(StudyTimes.studyTime(ds("20300304", "8am", null), ZoneOffset.UTC).isEmpty());
    }
}
