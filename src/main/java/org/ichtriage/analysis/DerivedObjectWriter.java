package org.ichtriage.analysis;

import java.util.List;
import java.util.Optional;

import org.ichtriage.dicom.seg.SourceSeries;
import org.ichtriage.inference.SegmentationResult;
import org.ichtriage.volume.CtVolume;

/** Builds the DICOM objects derived from a result (the SEG and the key images). */
public interface DerivedObjectWriter {

    /** One encoded derived object and the identifiers its publishers name; a Part 10 file in {@code transferSyntaxUid}. */
    record Built(String sopClassUid, String sopInstanceUid, String seriesInstanceUid, String transferSyntaxUid, int frames,
                 byte[] part10) {}

    /**
     * @param seg empty when no hemorrhage was found: a SEG needs at least one frame, so none is written
     */
    record DerivedObjects(Optional<Built> seg, List<Built> keyImages) {
        public static DerivedObjects none() {
            return new DerivedObjects(Optional.empty(), List.of());
        }
    }

    /**
     * @param source the source series, its images in the volume's slice order
     */
    DerivedObjects write(SourceSeries source, CtVolume volume, SegmentationResult result, String eventId);
}
