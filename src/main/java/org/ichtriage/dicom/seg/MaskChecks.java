package org.ichtriage.dicom.seg;

import java.util.List;

final class MaskChecks {
    private MaskChecks() {
    }

    /** One mask per source image, each exactly rows*columns of its image. */
    static void requireMatching(SourceSeries source, List<boolean[]> masks) {
        if (masks.size() != source.images().size()) {
            throw new IllegalArgumentException(masks.size() + " masks for " + source.images().size() + " source images");
        }
        for (int i = 0; i < masks.size(); i++) {
            SourceImage img = source.images().get(i);
            boolean[] m = masks.get(i);
            if (m == null || m.length != img.rows() * img.columns()) {
                throw new IllegalArgumentException("mask " + i + " has " + (m == null ? "no" : m.length)
                        + " voxels, source image " + img.sopInstanceUid() + " has " + img.rows() * img.columns());
            }
        }
    }

    static int count(boolean[] m) {
        int n = 0;
        for (boolean b : m) {
            if (b) {
                n++;
            }
        }
        return n;
    }
}
