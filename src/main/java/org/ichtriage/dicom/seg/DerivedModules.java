package org.ichtriage.dicom.seg;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.ichtriage.dicom.codec.DicomElement;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.dicom.codec.VR;

/** Modules every derived object of ours shares: Patient, Study, Equipment and SOP Common. */
final class DerivedModules {
    private static final DateTimeFormatter DA = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TM = DateTimeFormatter.ofPattern("HHmmss.SSSSSS").withZone(ZoneOffset.UTC);

    private record Type2(int tag, VR vr) {
    }

    // Type 2 attributes of the Patient and General Study modules: present, empty if the source lacks them.
    private static final Type2[] TYPE2 = {new Type2(Tag.PatientName, VR.PN), new Type2(Tag.PatientID, VR.LO),
            new Type2(Tag.PatientBirthDate, VR.DA), new Type2(Tag.PatientSex, VR.CS), new Type2(Tag.StudyDate, VR.DA),
            new Type2(Tag.StudyTime, VR.TM), new Type2(Tag.ReferringPhysicianName, VR.PN),
            new Type2(Tag.StudyID, VR.SH), new Type2(Tag.AccessionNumber, VR.SH)};

    // Copied byte for byte where present: Patient, Patient Study and General Study modules.
    private static final int[] COPIED = {Tag.PatientName, Tag.PatientID, Tag.IssuerOfPatientID, Tag.PatientBirthDate,
            SegTags.PatientBirthTime, Tag.PatientSex, SegTags.OtherPatientIDsSequence, Tag.PatientIdentityRemoved,
            SegTags.DeidentificationMethod, SegTags.DeidentificationMethodCodeSequence, Tag.PatientAge,
            SegTags.PatientSize, SegTags.PatientWeight, Tag.StudyInstanceUID, Tag.StudyDate, Tag.StudyTime,
            Tag.ReferringPhysicianName, Tag.StudyID, Tag.AccessionNumber, SegTags.IssuerOfAccessionNumberSequence,
            Tag.StudyDescription};

    private DerivedModules() {
    }

    /**
     * A new dataset holding the source's character set and its Patient and Study attributes. The character set
     * comes first so that the copied names keep their meaning.
     */
    static DicomObject startFrom(DicomObject source) {
        DicomObject ds = new DicomObject();
        DicomElement cs = source.get(Tag.SpecificCharacterSet);
        if (cs != null && cs.value() != null && cs.value().length > 0) {
            ds.putElement(cs);
        } else {
            // Without a declared set the source is the default repertoire, which ISO_IR 100 contains.
            ds.putString(Tag.SpecificCharacterSet, VR.CS, "ISO_IR 100");
        }
        for (int tag : COPIED) {
            DicomElement e = source.get(tag);
            if (e != null) {
                ds.putElement(e);
            }
        }
        if ("YES".equals(ds.getString(Tag.PatientIdentityRemoved)) && isBlank(ds, SegTags.DeidentificationMethod)
                && isBlank(ds, SegTags.DeidentificationMethodCodeSequence)) {
            // Scanners' anonymisers often claim removal without saying how, which the Patient module forbids
            // (1C); we keep the claim and say honestly that the method is unknown.
            ds.putString(SegTags.DeidentificationMethod, VR.LO, "not stated by the source");
        }
        for (Type2 t : TYPE2) {
            if (!ds.contains(t.tag())) {
                ds.putString(t.tag(), t.vr());
            }
        }
        return ds;
    }

    private static boolean isBlank(DicomObject ds, int tag) {
        DicomElement e = ds.get(tag);
        if (e == null) {
            return true;
        }
        if (e.items() != null) {
            return e.items().isEmpty();
        }
        String v = ds.getString(tag);
        return v == null || v.isEmpty();
    }

    static void sopCommon(DicomObject ds, String sopClassUid, String sopInstanceUid, Instant created) {
        ds.putString(Tag.SOPClassUID, VR.UI, sopClassUid);
        ds.putString(Tag.SOPInstanceUID, VR.UI, sopInstanceUid);
        ds.putString(Tag.InstanceCreationDate, VR.DA, date(created));
        ds.putString(Tag.InstanceCreationTime, VR.TM, time(created));
        ds.putString(SegTags.TimezoneOffsetFromUTC, VR.SH, "+0000");
    }

    static void series(DicomObject ds, String modality, String seriesInstanceUid, int seriesNumber,
            String seriesDescription, Instant created) {
        ds.putString(Tag.Modality, VR.CS, modality);
        ds.putString(Tag.SeriesInstanceUID, VR.UI, seriesInstanceUid);
        ds.putInts(Tag.SeriesNumber, VR.IS, seriesNumber);
        ds.putString(Tag.SeriesDescription, VR.LO, seriesDescription);
        ds.putString(Tag.SeriesDate, VR.DA, date(created));
        ds.putString(Tag.SeriesTime, VR.TM, time(created));
    }

    /** General Equipment and Enhanced General Equipment: the latter makes all four attributes type 1. */
    static void equipment(DicomObject ds, String manufacturer, String model, String softwareVersions, String serial) {
        ds.putString(Tag.Manufacturer, VR.LO, manufacturer);
        ds.putString(Tag.ManufacturerModelName, VR.LO, model);
        ds.putString(SegTags.DeviceSerialNumber, VR.LO, serial);
        ds.putString(Tag.SoftwareVersions, VR.LO, softwareVersions);
    }

    static String date(Instant t) {
        return DA.format(t);
    }

    static String time(Instant t) {
        return TM.format(t);
    }

    static DicomObject item(int tag, VR vr, String... values) {
        return new DicomObject().putString(tag, vr, values);
    }
}
