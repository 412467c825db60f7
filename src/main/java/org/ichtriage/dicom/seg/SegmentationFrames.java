package org.ichtriage.dicom.seg;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.Tag;

/**
 * The frames of a binary DICOM SEG, each under the SOP Instance UID of the source image it was
 * derived from: what a viewer needs to draw the segmentation over the source slice.
 */
public final class SegmentationFrames {
    private final int rows;
    private final int columns;
    private final Map<String, boolean[]> bySourceSopInstanceUid;

    private SegmentationFrames(int rows, int columns, Map<String, boolean[]> bySourceSopInstanceUid) {
        this.rows = rows;
        this.columns = columns;
        this.bySourceSopInstanceUid = bySourceSopInstanceUid;
    }

    /**
     * Reads a SEG with BitsAllocated 1 and one source image per frame (what {@link SegmentationBuilder} writes).
     *
     * @throws IllegalArgumentException naming the attribute when the object is not such a SEG
     */
    public static SegmentationFrames read(DicomObject seg) {
        int rows = seg.getInt(Tag.Rows, 0);
        int columns = seg.getInt(Tag.Columns, 0);
        int frameCount = seg.getInt(Tag.NumberOfFrames, 0);
        if (rows <= 0 || columns <= 0 || frameCount <= 0) {
            throw new IllegalArgumentException("SEG has no frames: Rows " + rows + ", Columns " + columns + ", NumberOfFrames " + frameCount);
        }
        if (seg.getInt(Tag.BitsAllocated, 0) != 1) {
            throw new IllegalArgumentException("SEG BitsAllocated (0028,0100) is " + seg.getInt(Tag.BitsAllocated, 0) + ", only binary (1) is read");
        }
        List<DicomObject> perFrame = seg.getSequence(Tag.PerFrameFunctionalGroupsSequence);
        if (perFrame == null || perFrame.size() != frameCount) {
            throw new IllegalArgumentException("SEG PerFrameFunctionalGroupsSequence (5200,9230) has "
                    + (perFrame == null ? 0 : perFrame.size()) + " items for " + frameCount + " frames");
        }
        byte[] pixels = seg.getBytes(Tag.PixelData);
        if (pixels == null) {
            throw new IllegalArgumentException("SEG has no PixelData (7FE0,0010)");
        }
        List<boolean[]> frames = BitPacking.unpack(pixels, frameCount, rows * columns);
        Map<String, boolean[]> bySource = new LinkedHashMap<>();
        for (int f = 0; f < frameCount; f++) {
            String source = sourceOf(perFrame.get(f)).orElseThrow(() -> new IllegalArgumentException(
                    "SEG frame has no DerivationImageSequence > SourceImageSequence > ReferencedSOPInstanceUID"));
            bySource.merge(source, frames.get(f), SegmentationFrames::union);
        }
        return new SegmentationFrames(rows, columns, bySource);
    }

    private static Optional<String> sourceOf(DicomObject frameGroup) {
        for (DicomObject derivation : orEmpty(frameGroup.getSequence(Tag.DerivationImageSequence))) {
            for (DicomObject source : orEmpty(derivation.getSequence(Tag.SourceImageSequence))) {
                String uid = source.getString(Tag.ReferencedSOPInstanceUID);
                if (uid != null && !uid.isEmpty()) {
                    return Optional.of(uid);
                }
            }
        }
        return Optional.empty();
    }

    private static List<DicomObject> orEmpty(List<DicomObject> items) {
        return items == null ? List.of() : items;
    }

    /** Several segments may cover one source image; the viewer draws their union. */
    private static boolean[] union(boolean[] a, boolean[] b) {
        boolean[] out = a.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] |= b[i];
        }
        return out;
    }

    public int rows() {
        return rows;
    }

    public int columns() {
        return columns;
    }

    /** The mask over one source image, or empty when the SEG has no frame for it (no lesion there). */
    public Optional<boolean[]> maskFor(String sourceSopInstanceUid) {
        boolean[] m = bySourceSopInstanceUid.get(sourceSopInstanceUid);
        return m == null ? Optional.empty() : Optional.of(m.clone());
    }

    public List<String> sourceSopInstanceUids() {
        return new ArrayList<>(bySourceSopInstanceUid.keySet());
    }
}
