package org.ichtriage.analysis;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import org.ichtriage.SoftwareVersion;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.events.ResultEvent;
import org.ichtriage.inference.LesionAnalysis;
import org.ichtriage.inference.SegmentationResult;
import org.ichtriage.volume.CtVolume;

/** Builds the result event of one analysed volume from the domain's own measurements. */
final class ResultEventMapper {
    /** How long each step of one volume's analysis took, in nanoseconds. */
    record StepNanos(long parse, long assembly, long seg, long total) {}

    private final PatientKey patientKey;
    private final TriageAnalyzer.Settings settings;

    ResultEventMapper(PatientKey patientKey, TriageAnalyzer.Settings settings) {
        this.patientKey = patientKey;
        this.settings = settings;
    }

    /**
     * @param first the first source dataset in slice order: study, accession and patient come from it
     * @param used  the instances of this volume, in slice order
     */
    ResultEvent map(SeriesBatch batch, CtVolume volume, List<ReceivedInstance> used, DicomObject first, String eventId,
                    String inputDigest, SegmentationResult result, double highUncertaintyThreshold,
                    DerivedObjectWriter.DerivedObjects derived, StepNanos nanos, long nowMs) {
        LesionAnalysis a = result.analysis();
        var u = a.uncertainty();
        var f = a.flags();
        return ResultEvent.builder()
                .eventId(eventId)
                .revision(batch.revision())
                .createdAt(Instant.ofEpochMilli(nowMs).toString())
                .studyInstanceUid(first.getString(Tag.StudyInstanceUID))
                .seriesInstanceUid(batch.seriesInstanceUid())
                .accessionNumber(emptyToNull(first.getString(Tag.AccessionNumber)))
                .patient(patient(first))
                .volume(new ResultEvent.Volume(round(a.volumeMl()),
                        new ResultEvent.Interval(round(a.interval().lowerMl()), round(a.interval().upperMl())),
                        round(a.abc().volumeMl()), a.lesionVoxels(), volume.sliceCount(), a.slicesWithLesion()))
                .uncertainty(new ResultEvent.Uncertainty(round(u.meanEntropyLesion()), round(u.meanEntropyBand()),
                        round(u.highEntropyFraction()), highUncertaintyThreshold))
                .flags(new ResultEvent.Flags(f.ichDetected(), f.largeVolume(), f.highUncertainty(), !f.reviewReasons().isEmpty()))
                .triageCategory(f.category().wire())
                .seg(derived.seg().map(s -> new ResultEvent.Seg(s.sopInstanceUid(), s.seriesInstanceUid(), s.frames(), false))
                        .orElse(new ResultEvent.Seg(null, null, 0, true)))
                .keyImageSopInstanceUids(derived.keyImages().isEmpty() ? null
                        : derived.keyImages().stream().map(DerivedObjectWriter.Built::sopInstanceUid).toList())
                .forwarding(new ResultEvent.Forwarding(settings.forwardDestinations().isEmpty()
                        ? ResultEvent.ForwardingState.NOT_CONFIGURED : ResultEvent.ForwardingState.PENDING,
                        settings.forwardDestinations()))
                .model(new ResultEvent.Model(result.modelName(), result.modelVersion(), result.modelSha256(), result.provider()))
                .software(new ResultEvent.Software("ich-triage", SoftwareVersion.get()))
                .provenance(new ResultEvent.Provenance(batch.sourceTopic(), OffsetRanges.of(used), used.size(), inputDigest,
                        batch.reason().name(), settings.applicationId()))
                .timingsMs(new ResultEvent.Timings(ms(nanos.parse()), ms(nanos.assembly()), ms(result.timings().preprocessNanos()),
                        ms(result.timings().inferenceNanos()), ms(result.timings().postprocessNanos()), ms(nanos.seg()),
                        ms(nanos.total()), batch.lastReceivedAtMs() > 0 ? nowMs - batch.lastReceivedAtMs() : 0))
                .studyTime(StudyTimes.studyTime(first, ZoneId.systemDefault()).map(Instant::toString).orElse(null))
                .studyDescription(emptyToNull(first.getString(Tag.StudyDescription)))
                .seriesDescription(emptyToNull(first.getString(Tag.SeriesDescription)))
                .build();
    }

    private ResultEvent.Patient patient(DicomObject ds) {
        String key = patientKey == null ? null
                : patientKey.keyOf(ds.getString(Tag.IssuerOfPatientID), ds.getString(Tag.PatientID)).orElse(null);
        String name = settings.includePatientName() ? emptyToNull(ds.getPersonName(Tag.PatientName)) : null;
        String birth = settings.includePatientName() ? emptyToNull(ds.getString(Tag.PatientBirthDate)) : null;
        return key == null && name == null && birth == null ? null : new ResultEvent.Patient(key, name, birth);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }
}
