package org.ichtriage.inference;

import org.ichtriage.events.TriageCategory;
import java.util.List;

public record TriageFlags(boolean ichDetected, boolean largeVolume, boolean highUncertainty,
                          List<ReviewReason> reviewReasons) {
    public TriageFlags {
        reviewReasons = List.copyOf(reviewReasons);
    }

    public boolean needsReview() {
        return !reviewReasons.isEmpty();
    }

    public TriageCategory category() {
        return TriageCategory.derive(ichDetected, highUncertainty);
    }
}
