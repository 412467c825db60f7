package org.ichtriage.dicom.seg;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Everything the key images show, before rendering.
 *
 * @param huSlices    CT numbers (rescale already applied) per source image, rows*columns row-major, in source order
 * @param masks       lesion mask per source image, same layout
 * @param volumeLine  e.g. "ICH VOLUME 23.4 ML (19.8-27.1)"
 * @param flagsLine   the triage flags as one line; empty for none
 */
public record KeyImageDescription(SourceSeries source, List<short[]> huSlices, List<boolean[]> masks,
        String volumeLine, String flagsLine, WindowSetting window, String seriesDescription, int seriesNumber,
        String manufacturer, String manufacturerModelName, String softwareVersions, Instant contentDateTime, DerivedUids uids) {
    public KeyImageDescription {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(uids, "uids");
        Objects.requireNonNull(volumeLine, "volumeLine");
        Objects.requireNonNull(flagsLine, "flagsLine");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(seriesDescription, "seriesDescription");
        Objects.requireNonNull(manufacturer, "manufacturer");
        Objects.requireNonNull(manufacturerModelName, "manufacturerModelName");
        Objects.requireNonNull(softwareVersions, "softwareVersions");
        Objects.requireNonNull(contentDateTime, "contentDateTime");
        huSlices = List.copyOf(huSlices);
        masks = List.copyOf(masks);
        MaskChecks.requireMatching(source, masks);
        if (huSlices.size() != masks.size()) {
            throw new IllegalArgumentException(huSlices.size() + " CT slices for " + masks.size() + " masks");
        }
        for (int i = 0; i < huSlices.size(); i++) {
            if (huSlices.get(i) == null || huSlices.get(i).length != masks.get(i).length) {
                throw new IllegalArgumentException("CT slice " + i + " does not have the size of its mask");
            }
        }
    }
}
