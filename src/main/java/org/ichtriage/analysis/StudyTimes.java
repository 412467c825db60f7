package org.ichtriage.analysis;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;

import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.Tag;

/**
 * The acquisition moment of a study from StudyDate (DA) and StudyTime (TM). DICOM times are local;
 * TimezoneOffsetFromUTC (0008,0201) says which zone when the modality sends it, else the worker's
 * own zone is assumed (the modality and the worker are in one hospital). Unreadable values give
 * empty: the study time is optional in the event and expansion then falls back to created_at.
 */
public final class StudyTimes {
    /** (0008,0201) TimezoneOffsetFromUTC, SH "+HHMM" or "-HHMM". */
    static final int TIMEZONE_OFFSET_FROM_UTC = 0x00080201;

    private StudyTimes() {}

    public static Optional<Instant> studyTime(DicomObject ds, ZoneId fallbackZone) {
        String date = ds.getString(Tag.StudyDate);
        if (date == null || !date.strip().matches("\\d{8}")) {
            return Optional.empty();
        }
        try {
            String d = date.strip();
            LocalDate day = LocalDate.of(Integer.parseInt(d.substring(0, 4)), Integer.parseInt(d.substring(4, 6)),
                    Integer.parseInt(d.substring(6, 8)));
            LocalTime time = parseTime(ds.getString(Tag.StudyTime));
            ZoneId zone = parseOffset(ds.getString(TIMEZONE_OFFSET_FROM_UTC)).map(o -> (ZoneId) o).orElse(fallbackZone);
            return Optional.of(LocalDateTime.of(day, time).atZone(zone).toInstant());
        } catch (DateTimeException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** TM: HH[MM[SS[.F{1,6}]]], or the retired HH:MM:SS form; absent means the start of the day. */
    static LocalTime parseTime(String tm) {
        if (tm == null || tm.isBlank()) {
            return LocalTime.MIDNIGHT;
        }
        String t = tm.strip().replace(":", "");
        String whole = t.contains(".") ? t.substring(0, t.indexOf('.')) : t;
        String fraction = t.contains(".") ? t.substring(t.indexOf('.') + 1) : "";
        if (!whole.matches("\\d{2}|\\d{4}|\\d{6}") || !fraction.matches("\\d{0,6}")) {
            throw new DateTimeException("StudyTime '" + tm + "' is not a DICOM TM");
        }
        int h = Integer.parseInt(whole.substring(0, 2));
        int m = whole.length() >= 4 ? Integer.parseInt(whole.substring(2, 4)) : 0;
        int s = whole.length() >= 6 ? Math.min(59, Integer.parseInt(whole.substring(4, 6))) : 0;
        int nanos = fraction.isEmpty() ? 0 : Integer.parseInt((fraction + "000000").substring(0, 6)) * 1000;
        return LocalTime.of(h, m, s, nanos);
    }

    static Optional<ZoneOffset> parseOffset(String sh) {
        if (sh == null || !sh.strip().matches("[+-]\\d{4}")) {
            return Optional.empty();
        }
        String v = sh.strip();
        int sign = v.charAt(0) == '-' ? -1 : 1;
        return Optional.of(ZoneOffset.ofHoursMinutes(sign * Integer.parseInt(v.substring(1, 3)), sign * Integer.parseInt(v.substring(3, 5))));
    }
}
