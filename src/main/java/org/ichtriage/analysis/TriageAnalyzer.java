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
import org.ichtriage.inference.AnalysisMemory;
import org.ichtriage.inference.ModelException;
import org.ichtriage.inference.SegmentationModel;
import org.ichtriage.inference.ReviewReason;
import org.ichtriage.inference.SegmentationResult;
import org.ichtriage.inference.VolumeSegmenter;
import org.ichtriage.events.DeadLetterReason;
import org.ichtriage.events.DeadLetters;
import org.ichtriage.events.ResultEvent;
import org.ichtriage.events.SkippedSeries;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.dicom.seg.SourceImage;
import org.ichtriage.dicom.seg.SourceSeries;
import org.ichtriage.volume.AssemblyResult;
import org.ichtriage.volume.ContentCheck;
import org.ichtriage.volume.CtSlice;
import org.ichtriage.volume.CtVolume;
import org.ichtriage.volume.SeriesAssembler;

/**
 * The production analysis of a complete series: decode each instance once, check geometry, run SLEX-Net,
 * postprocess, build the DICOM outputs and the result event ({@link ResultEventMapper}). Bad input becomes a refusal, never an exception.
 *
 * <p>Each calling thread gets its own {@link VolumeSegmenter} (one ONNX session per stream thread).
 */
public final class TriageAnalyzer implements SeriesAnalyzer, AutoCloseable {
    /**
     * Settings of the analysis that the result event reports or depends on.
     *
     * @param forwardDestinations the PACS destinations the forwarder sends the derived objects to, as the
     *                            event names them; empty when nothing is forwarded
     * @param analysisMemoryBytes a volume whose estimated analysis memory ({@link AnalysisMemory}) exceeds this is
     *                            refused before inference (pipeline.analysis-memory-mb)
     */
    public record Settings(String applicationId, boolean includePatientName, List<String> forwardDestinations,
                           SeriesSelection.Rules selection, long analysisMemoryBytes) {
        /** The default of pipeline.analysis-memory-mb. */
        public static final long DEFAULT_ANALYSIS_MEMORY_BYTES = 4096L << 20;

        public Settings {
            forwardDestinations = List.copyOf(forwardDestinations);
            if (analysisMemoryBytes <= 0) throw new IllegalArgumentException("analysisMemoryBytes must be > 0, was " + analysisMemoryBytes);
        }

        /** Every CT series analysed (selection off), within the default memory budget. */
        public Settings(String applicationId, boolean includePatientName, List<String> forwardDestinations) {
            this(applicationId, includePatientName, forwardDestinations, SeriesSelection.Rules.off(), DEFAULT_ANALYSIS_MEMORY_BYTES);
        }
    }

    private final Supplier<VolumeSegmenter> segmenterFactory;
    private final SeriesAssembler assembler;
    private final DerivedObjectWriter derivedObjects;
    private final Clock clock;
    private final DeadLetters deadLetters;
    private final ResultEventMapper events;
    private final long analysisMemoryBytes;
    private final SeriesSelection selection;
    private final List<VolumeSegmenter> created = Collections.synchronizedList(new ArrayList<>());
    private final ThreadLocal<VolumeSegmenter> perThread;

    public TriageAnalyzer(Supplier<VolumeSegmenter> segmenterFactory, SeriesAssembler assembler,
                          DerivedObjectWriter derivedObjects, PatientKey patientKey, Settings settings, Clock clock) {
        this.segmenterFactory = segmenterFactory;
        this.assembler = assembler;
        this.derivedObjects = derivedObjects;
        this.clock = clock;
        this.events = new ResultEventMapper(patientKey, settings);
        this.analysisMemoryBytes = settings.analysisMemoryBytes();
        this.selection = new SeriesSelection(settings.selection());
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
        Map<String, Decoded> bySop = new HashMap<>();
        List<CtSlice> slices = new ArrayList<>();
        // Patient, study, series and frame of reference are shared by every instance: the first instance's attributes
        // stand for them all, so that no other dataset is kept once its slice is decoded.
        DicomObject seriesAttributes = null;
        for (ReceivedInstance r : batch.instances()) {
            try {
                DicomObject ds = DicomReader.readPart10(r.part10(), DicomLimits.DEFAULT).dataset();
                CtSliceDecoder.DecodedImage decoded = CtSliceDecoder.decodeWithSource(ds, r.part10().length);
                bySop.put(r.sopInstanceUid(), new Decoded(r, decoded));
                slices.add(decoded.slice());
                if (seriesAttributes == null) {
                    ds.remove(Tag.PixelData);
                    seriesAttributes = ds;
                }
            } catch (DicomException | RuntimeException e) {
                return List.of(refuse(batch, DeadLetterReason.CORRUPT_INSTANCE, "instance " + r.sopInstanceUid() + " at offset "
                        + r.partition() + "/" + r.offset() + ": " + e, batch.instances()));
            }
        }
        long t1 = System.nanoTime();
        if (seriesAttributes != null) {
            Optional<SeriesSelection.Skip> skip = selection.check(seriesAttributes, slices.stream().allMatch(CtSlice::isLocalizer));
            if (skip.isPresent()) {
                return List.of(new SeriesOutcome.Skipped(new SkippedSeries(SkippedSeries.SCHEMA,
                        java.time.Instant.ofEpochMilli(clock.millis()).toString(), batch.seriesInstanceUid(),
                        seriesAttributes.getString(Tag.StudyInstanceUID), batch.revision(), skip.get().reason().name(),
                        skip.get().detail(), batch.instances().size(), batch.sourceTopic(), OffsetRanges.of(batch.instances()),
                        SoftwareVersion.get())));
            }
        }
        AssemblyResult assembled = assembler.assemble(slices);
        long t2 = System.nanoTime();
        if (assembled instanceof AssemblyResult.Refused refused) {
            return List.of(refuse(batch, DeadLetterReason.valueOf(refused.reason().name()), refused.detail(), batch.instances()));
        }
        List<SeriesOutcome> outcomes = new ArrayList<>();
        for (CtVolume volume : ((AssemblyResult.Assembled) assembled).volumes()) {
            // the volume's instances in its slice order
            List<Decoded> stack = volume.slices().stream().map(s -> bySop.get(s.sopInstanceUid())).toList();
            Optional<AssemblyResult.Refused> implausible = ContentCheck.check(volume);
            if (implausible.isPresent()) {
                outcomes.add(refuse(batch, DeadLetterReason.valueOf(implausible.get().reason().name()), implausible.get().detail(),
                        instancesOf(batch, stack)));
                continue;
            }
            try {
                outcomes.add(analyzeVolume(batch, volume, stack, seriesAttributes, t1 - t0, t2 - t1, t0));
            } catch (RuntimeException e) {
                // one stack failing (a SEG that cannot be built, say) must not take the other stacks' results with it
                outcomes.add(refuse(batch, DeadLetterReason.ANALYSIS_FAILED, e.toString(), instancesOf(batch, stack)));
            }
        }
        return outcomes;
    }

    /** One instance as decoded once: the record it came in, its slice and its source-image reference. */
    private record Decoded(ReceivedInstance instance, CtSliceDecoder.DecodedImage image) {
        SourceImage source() {
            return image.source().orElseThrow(() -> new IllegalArgumentException(
                    image.sourceProblem().orElse("instance " + instance.sopInstanceUid() + " has no source-image reference")));
        }
    }

    /** The stack's instances in the order of the batch. */
    private static List<ReceivedInstance> instancesOf(SeriesBatch batch, List<Decoded> stack) {
        java.util.Set<String> sops = new java.util.HashSet<>();
        stack.forEach(d -> sops.add(d.instance().sopInstanceUid()));
        return batch.instances().stream().filter(r -> sops.contains(r.sopInstanceUid())).toList();
    }

    private SeriesOutcome analyzeVolume(SeriesBatch batch, CtVolume volume, List<Decoded> stack, DicomObject seriesAttributes,
                                        long parseNanos, long assemblyNanos, long t0) {
        List<ReceivedInstance> used = stack.stream().map(Decoded::instance).toList();
        SegmentationResult result;
        try {
            VolumeSegmenter segmenter = perThread.get();
            SegmentationModel model = segmenter.model();
            CtSlice first = volume.slices().get(0);
            long needed = AnalysisMemory.estimateBytes(volume.sliceCount(), first.rows(), first.columns(),
                    model.card().inputSize(), model.options().chunkSlices());
            if (needed > analysisMemoryBytes) {
                return refuse(batch, DeadLetterReason.MEMORY_BUDGET_EXCEEDED, String.format(java.util.Locale.ROOT,
                        "analysis of %d slices of %dx%d at model.chunk-slices=%d needs about %d MiB, more than "
                                + "pipeline.analysis-memory-mb=%d", volume.sliceCount(), first.rows(), first.columns(),
                        model.options().chunkSlices(), needed >> 20, analysisMemoryBytes >> 20), used);
            }
            result = segmenter.segment(volume);
        } catch (ModelException | RuntimeException e) {
            return refuse(batch, DeadLetterReason.INFERENCE_FAILED, e.toString(), used);
        }
        String digest = inputDigest(volume);
        String eventId = UUID.nameUUIDFromBytes((batch.seriesInstanceUid() + "|" + volume.acquisitionNumber() + "|"
                + batch.revision() + "|" + digest + "|" + result.modelSha256()).getBytes(StandardCharsets.UTF_8)).toString();
        long s0 = System.nanoTime();
        SourceSeries source = SourceSeries.of(seriesAttributes, stack.stream().map(Decoded::source).toList());
        DerivedObjectWriter.DerivedObjects derived = derivedObjects.write(source, volume, result, eventId);
        long segNanos = System.nanoTime() - s0;
        long now = clock.millis();
        ResultEvent event = events.map(batch, volume, used, seriesAttributes, eventId, digest, result,
                perThread.get().model().card().highUncertaintyThreshold(), derived,
                new ResultEventMapper.StepNanos(parseNanos, assemblyNanos, segNanos, System.nanoTime() - t0), now);
        return new SeriesOutcome.Analyzed(event, derived.seg(), derived.keyImages());
    }

    /** The review reasons behind needs_review, for logs and `explain`. */
    public static List<ReviewReason> reviewReasons(SegmentationResult r) {
        return r.analysis().flags().reviewReasons();
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
