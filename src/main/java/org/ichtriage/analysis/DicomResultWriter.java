package org.ichtriage.analysis;

import org.ichtriage.inference.TriageFlags;
import org.ichtriage.events.TriageCategory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.ichtriage.dicom.codec.TransferSyntax;
import org.ichtriage.dicom.seg.BuiltObject;
import org.ichtriage.dicom.seg.DerivedUids;
import org.ichtriage.dicom.seg.EmptySegmentationException;
import org.ichtriage.dicom.seg.KeyImageBuilder;
import org.ichtriage.dicom.seg.KeyImageDescription;
import org.ichtriage.dicom.seg.SegmentDescription;
import org.ichtriage.dicom.seg.SegmentationBuilder;
import org.ichtriage.dicom.seg.SegmentationDescription;
import org.ichtriage.dicom.seg.SourceSeries;
import org.ichtriage.dicom.seg.WindowSetting;
import org.ichtriage.inference.SegmentationResult;
import org.ichtriage.inference.SliceMask;
import org.ichtriage.volume.CtSlice;
import org.ichtriage.volume.CtVolume;

/** Writes the DICOM SEG and the key images of a result, for the PACS and for viewers without SEG support. */
public final class DicomResultWriter implements DerivedObjectWriter {
    public static final String MANUFACTURER = "ich-triage";
    public static final String MODEL_NAME = "ich-triage SLEX-Net worker";
    public static final int SEG_SERIES_NUMBER = 9901;
    public static final int KEY_IMAGE_SERIES_NUMBER = 9902;

    private final String softwareVersion;
    private final Clock clock;

    public DicomResultWriter(String softwareVersion, Clock clock) {
        this.softwareVersion = softwareVersion;
        this.clock = clock;
    }

    @Override
    public DerivedObjects write(SourceSeries source, CtVolume volume, SegmentationResult result, String eventId) {
        List<boolean[]> masks = result.analysis().lesionMask().stream().map(SliceMask::toArray).toList();
        if (result.analysis().lesionVoxels() == 0) {
            return DerivedObjects.none();
        }
        SegmentationDescription seg = new SegmentationDescription(source,
                SegmentDescription.hemorrhage(result.modelName(), result.modelVersion()), masks,
                "ICH segmentation " + result.modelName() + " (NOT FOR CLINICAL USE)", SEG_SERIES_NUMBER, MANUFACTURER,
                MODEL_NAME, softwareVersion, "0", clock.instant(),
                // one SEG series per source series and model: every revision lands in it; the event id names the instance
                DerivedUids.named(source.seriesInstanceUid() + "/seg/" + result.modelName() + "/" + result.modelVersion(), eventId));
        BuiltObject built;
        try {
            built = SegmentationBuilder.build(seg);
        } catch (EmptySegmentationException e) {
            return DerivedObjects.none();
        }
        List<Built> keyImages = new ArrayList<>();
        for (BuiltObject k : KeyImageBuilder.build(keyImageDescription(source, volume, masks, result, eventId))) {
            keyImages.add(built(k));
        }
        return new DerivedObjects(Optional.of(built(built)), keyImages);
    }

    /** The builders of dicom.seg write Explicit VR Little Endian. */
    private static Built built(BuiltObject o) {
        return new Built(o.sopClassUid(), o.sopInstanceUid(), o.seriesInstanceUid(), TransferSyntax.EXPLICIT_VR_LE, o.frames(),
                o.part10());
    }

    KeyImageDescription keyImageDescription(SourceSeries source, CtVolume volume, List<boolean[]> masks, SegmentationResult result,
                                            String eventId) {
        List<short[]> hu = new ArrayList<>();
        for (CtSlice s : volume.slices()) {
            short[] h = new short[s.rows() * s.columns()];
            for (int i = 0; i < h.length; i++) {
                h[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(s.hu(i))));
            }
            hu.add(h);
        }
        return new KeyImageDescription(source, hu, masks, volumeLine(result), flagsLine(result), WindowSetting.BRAIN,
                "ICH key images " + result.modelName() + " (NOT FOR DIAGNOSTIC USE)", KEY_IMAGE_SERIES_NUMBER, MANUFACTURER,
                MODEL_NAME, softwareVersion, clock.instant(),
                DerivedUids.named(source.seriesInstanceUid() + "/key-images/" + result.modelName() + "/" + result.modelVersion(), eventId));
    }

    public static String volumeLine(SegmentationResult r) {
        var a = r.analysis();
        return String.format(Locale.ROOT, "ICH VOLUME %.1f ML (%.1f-%.1f)", a.volumeMl(), a.interval().lowerMl(), a.interval().upperMl());
    }

    public static String flagsLine(SegmentationResult r) {
        return flagsLine(r.analysis().flags());
    }

    /** The key images' flag line: the triage category's words first, then what else is flagged. */
    public static String flagsLine(TriageFlags f) {
        List<String> parts = new ArrayList<>();
        // an unsure result must not read as a confident one (docs/decisions/triage-category.md)
        TriageCategory category = f.category();
        parts.add(switch (category) {
            case POSITIVE -> "ICH DETECTED";
            case INDETERMINATE -> "POSSIBLE ICH - INDETERMINATE";
            case NEGATIVE -> "NO ICH";
        });
        if (f.largeVolume() && category == TriageCategory.POSITIVE) {
            parts.add("LARGE VOLUME");
        }
        if (f.highUncertainty()) {
            parts.add("HIGH UNCERTAINTY");
        }
        if (!f.reviewReasons().isEmpty()) {
            parts.add("NEEDS REVIEW");
        }
        return String.join(" / ", parts);
    }
}
