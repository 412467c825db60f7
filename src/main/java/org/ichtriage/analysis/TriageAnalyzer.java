package org.ichtriage.analysis;

import org.ichtriage.SoftwareVersion;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import org.ichtriage.dicom.codec.DicomException;
import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.DicomReader;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.inference.ModelException;
import org.ichtriage.inference.ReviewReason;
import org.ichtriage.inference.SegmentationResult;
import org.ichtriage.inference.VolumeSegmenter;
import org.ichtriage.events.DeadLetterReason;
import org.ichtriage.events.DeadLetters;
import org.ichtriage.events.ResultEvent;
import org.ichtriage.volume.AssemblyResult;
import org.ichtriage.volume.CtSlice;
import org.ichtriage.volume.CtVolume;
import org.ichtriage.volume.SeriesAssembler;

/**
 * The production analysis of a complete series: decode, check geometry, run SLEX-Net, postprocess,
 * build the DICOM outputs and the result event. Bad input becomes a refusal, never an exception.
 *
 * <p>Each calling thread gets its own {@link VolumeSegmenter} (one ONNX session per stream thread).
 */
public final class TriageAnalyzer implements SeriesAnalyzer, AutoCloseable {
    /** Settings of the analysis that the result event reports or depends on. */
    public record Settings(String applicationId, boolean includePatientName) {}

    private final Supplier<VolumeSegmenter> segmenterFactory;
    private final SeriesAssembler assembler;
    private final DerivedObjectWriter derivedObjects;
    private final PatientKey patientKey;
    private final Settings settings;
    private final Clock clock;
    private final DeadLetters deadLetters;
    private final List<VolumeSegmenter> created = Collections.synchronizedList(new ArrayList<>());
    private final ThreadLocal<VolumeSegmenter> perThread;

    public TriageAnalyzer(Supplier<VolumeSegmenter> segmenterFactory, SeriesAssembler assembler,
                          DerivedObjectWriter derivedObjects, PatientKey patientKey, Settings settings, Clock clock) {
        this.segmenterFactory = segmenterFactory;
        this.assembler = assembler;
        this.derivedObjects = derivedObjects;
        this.patientKey = patientKey;
        this.settings = settings;
        this.clock = clock;
        this.deadLetters = new DeadLetters(() -> java.time.Instant.ofEpochMilli(clock.millis()), SoftwareVersion.get());
        this.perThread = ThreadLocal.withInitial(() -> {
            VolumeSegmenter s = segmenterFactory.get();
            created.add(s);
            return s;
        });
    }

    /** A series holding several acquisitions (split by AcquisitionNumber) gives one outcome per stack. */
    @Override
    public List<SeriesOutcome> analyze(SeriesBatch batch) {
        long t0 = System.nanoTime();
        Map<String, DicomObject> datasets = new HashMap<>();
        List<CtSlice> slices = new ArrayList<>();
        for (ReceivedInstance r : batch.instances()) {
            try {
                DicomObject ds = DicomReader.readPart10(r.part10(), DicomLimits.DEFAULT).dataset();
                datasets.put(r.sopInstanceUid(), ds);
                slices.add(CtSliceDecoder.decode(ds, r.part10().length));
            } catch (DicomException | RuntimeException e) {
                return List.of(refuse(batch, DeadLetterReason.CORRUPT_INSTANCE, "instance " + r.sopInstanceUid() + " at offset "
                        + r.partition() + "/" + r.offset() + ": " + e, batch.instances()));
            }
        }
        long t1 = System.nanoTime();
        AssemblyResult assembled = assembler.assemble(slices);
        long t2 = System.nanoTime();
        if (assembled instanceof AssemblyResult.Refused refused) {
            return List.of(refuse(batch, DeadLetterReason.valueOf(refused.reason().name()), refused.detail(), batch.instances()));
        }
        List<SeriesOutcome> outcomes = new ArrayList<>();
        for (CtVolume volume : ((AssemblyResult.Assembled) assembled).volumes()) {
            try {
                outcomes.add(analyzeVolume(batch, volume, datasets, t1 - t0, t2 - t1, t0));
            } catch (RuntimeException e) {
                // one stack failing (a SEG that cannot be built, say) must not take the other stacks' results with it
                outcomes.add(refuse(batch, DeadLetterReason.ANALYSIS_FAILED, e.toString(), batch.instances().stream()
                        .filter(r -> volume.slices().stream().anyMatch(s -> s.sopInstanceUid().equals(r.sopInstanceUid()))).toList()));
            }
        }
        return outcomes;
    }

    private SeriesOutcome analyzeVolume(SeriesBatch batch, CtVolume volume, Map<String, DicomObject> datasets,
                                        long parseNanos, long assemblyNanos, long t0) {
        List<ReceivedInstance> used = volume.slices().stream()
                .map(s -> batch.instances().stream().filter(r -> r.sopInstanceUid().equals(s.sopInstanceUid())).findFirst().orElseThrow())
                .toList();
        SegmentationResult result;
        try {
            result = perThread.get().segment(volume);
        } catch (ModelException | RuntimeException e) {
            return refuse(batch, DeadLetterReason.INFERENCE_FAILED, e.toString(), used);
        }
        String digest = inputDigest(volume);
        String eventId = UUID.nameUUIDFromBytes((batch.seriesInstanceUid() + "|" + volume.acquisitionNumber() + "|"
                + batch.revision() + "|" + digest + "|" + result.modelSha256()).getBytes(StandardCharsets.UTF_8)).toString();
        List<DicomObject> sources = volume.slices().stream().map(s -> datasets.get(s.sopInstanceUid())).toList();
        long s0 = System.nanoTime();
        DerivedObjectWriter.DerivedObjects derived = derivedObjects.write(sources, volume, result, eventId);
        long segNanos = System.nanoTime() - s0;

        DicomObject first = sources.get(0);
        var a = result.analysis();
        var u = a.uncertainty();
        var f = a.flags();
        ResultEvent.Patient patient = patient(first);
        long now = clock.millis();
        ResultEvent event = new ResultEvent(
                ResultEvent.SCHEMA, eventId, batch.revision(), java.time.Instant.ofEpochMilli(now).toString(),
                first.getString(Tag.StudyInstanceUID), batch.seriesInstanceUid(), emptyToNull(first.getString(Tag.AccessionNumber)),
                patient,
                new ResultEvent.Volume(round(a.volumeMl()), new ResultEvent.Interval(round(a.interval().lowerMl()), round(a.interval().upperMl())),
                        round(a.abc().aMm() * a.abc().bMm() * a.abc().cMm() / 2000.0), a.lesionVoxels(), volume.sliceCount(),
                        (int) a.lesionMask().stream().filter(m -> !m.isEmpty()).count()),
                new ResultEvent.Uncertainty(round(u.meanEntropyLesion()), round(u.meanEntropyBand()), round(u.highEntropyFraction()),
                        perThread.get().model().card().highUncertaintyThreshold()),
                new ResultEvent.Flags(f.ichDetected(), f.largeVolume(), f.highUncertainty(), !f.reviewReasons().isEmpty()),
                derived.seg().map(s -> new ResultEvent.Seg(s.sopInstanceUid(), s.seriesInstanceUid(), s.frames(), false))
                        .orElse(new ResultEvent.Seg(null, null, 0, true)),
                derived.keyImages().isEmpty() ? null : derived.keyImages().stream().map(DerivedObjectWriter.Built::sopInstanceUid).toList(),
                new ResultEvent.Forwarding(derived.forwardingConfigured() ? "PENDING" : "NOT_CONFIGURED", derived.destinations()),
                null,
                new ResultEvent.Model(result.modelName(), result.modelVersion(), result.modelSha256(), result.provider()),
                new ResultEvent.Software("ich-triage", SoftwareVersion.get()),
                new ResultEvent.Provenance(batch.sourceTopic(), OffsetRanges.of(used), used.size(), digest,
                        batch.reason().name(), settings.applicationId()),
                new ResultEvent.Timings(ms(parseNanos), ms(assemblyNanos), ms(result.timings().preprocessNanos()),
                        ms(result.timings().inferenceNanos()), ms(result.timings().postprocessNanos()), ms(segNanos),
                        ms(System.nanoTime() - t0), batch.lastReceivedAtMs() > 0 ? now - batch.lastReceivedAtMs() : 0),
                StudyTimes.studyTime(first, java.time.ZoneId.systemDefault()).map(java.time.Instant::toString).orElse(null));
        return new SeriesOutcome.Analyzed(event, derived.seg().map(DerivedObjectWriter.Built::part10),
                derived.keyImages().stream().map(DerivedObjectWriter.Built::part10).toList());
    }

    /** The review reasons behind needs_review, for logs and `explain`. */
    public static List<ReviewReason> reviewReasons(SegmentationResult r) {
        return r.analysis().flags().reviewReasons();
    }

    private ResultEvent.Patient patient(DicomObject ds) {
        String key = patientKey == null ? null
                : patientKey.keyOf(ds.getString(Tag.IssuerOfPatientID), ds.getString(Tag.PatientID)).orElse(null);
        String name = settings.includePatientName() ? emptyToNull(ds.getPersonName(Tag.PatientName)) : null;
        String birth = settings.includePatientName() ? emptyToNull(ds.getString(Tag.PatientBirthDate)) : null;
        return key == null && name == null && birth == null ? null : new ResultEvent.Patient(key, name, birth);
    }

    /** sha256 over the SOP Instance UIDs in sorted order, each followed by its stored pixel values. */
    static String inputDigest(CtVolume volume) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            List<CtSlice> sorted = new ArrayList<>(volume.slices());
            sorted.sort(Comparator.comparing(CtSlice::sopInstanceUid));
            byte[] buf = new byte[0];
            for (CtSlice s : sorted) {
                md.update(s.sopInstanceUid().getBytes(StandardCharsets.US_ASCII));
                md.update((byte) 0);
                int n = s.rows() * s.columns();
                if (buf.length != 2 * n) {
                    buf = new byte[2 * n];
                }
                for (int i = 0; i < n; i++) {
                    int v = s.storedValue(i);
                    buf[2 * i] = (byte) v;
                    buf[2 * i + 1] = (byte) (v >> 8);
                }
                md.update(buf);
            }
            return "sha256:" + java.util.HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private SeriesOutcome refuse(SeriesBatch batch, DeadLetterReason reason, String detail, List<ReceivedInstance> instances) {
        return new SeriesOutcome.Refused(deadLetters.of(reason, detail, batch.seriesInstanceUid(), batch.revision(),
                instances.stream().map(ReceivedInstance::sopInstanceUid).toList(), batch.sourceTopic(), OffsetRanges.of(instances)));
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

    public Optional<VolumeSegmenter> anySegmenter() {
        return created.isEmpty() ? Optional.empty() : Optional.of(created.get(0));
    }

    @Override
    public void close() {
        for (VolumeSegmenter s : created) {
            try {
                s.model().close();
            } catch (ModelException e) {
                // closing native sessions at shutdown; nothing else to do
            }
        }
    }
}
