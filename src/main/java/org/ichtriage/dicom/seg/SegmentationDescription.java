package org.ichtriage.dicom.seg;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Everything a hemorrhage SEG holds, before encoding.
 *
 * @param masks one mask per source image, in the same order, each rows*columns booleans in row-major order
 */
public record SegmentationDescription(SourceSeries source, SegmentDescription segment, List<boolean[]> masks,
        String seriesDescription, int seriesNumber, String manufacturer, String manufacturerModelName,
        String softwareVersions, String deviceSerialNumber, Instant contentDateTime, DerivedUids uids) {
    public SegmentationDescription {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(uids, "uids");
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(seriesDescription, "seriesDescription");
        Objects.requireNonNull(manufacturer, "manufacturer");
        Objects.requireNonNull(manufacturerModelName, "manufacturerModelName");
        Objects.requireNonNull(softwareVersions, "softwareVersions");
        Objects.requireNonNull(deviceSerialNumber, "deviceSerialNumber");
        Objects.requireNonNull(contentDateTime, "contentDateTime");
        masks = List.copyOf(masks);
        MaskChecks.requireMatching(source, masks);
        if (seriesNumber < 0) {
            throw new IllegalArgumentException("series number must not be negative: " + seriesNumber);
        }
    }
}
