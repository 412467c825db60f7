package org.ichtriage.volume;

import java.util.List;
import java.util.Objects;

/** Outcome of assembling one series: volumes (one per acquisition stack) or a typed refusal. */
public sealed interface AssemblyResult {

    /** Why an input instance is not part of any volume although the series was accepted. */
    enum SkipReason { DUPLICATE_SOP_INSTANCE, LOCALIZER }

    /** An instance left out on purpose, listed so that nothing disappears silently. */
    record SkippedSlice(String sopInstanceUid, int instanceNumber, SkipReason reason) {
        public SkippedSlice {
            Objects.requireNonNull(sopInstanceUid);
            Objects.requireNonNull(reason);
        }
    }

    record Assembled(List<CtVolume> volumes, List<SkippedSlice> skipped) implements AssemblyResult {
        public Assembled {
            volumes = List.copyOf(volumes);
            skipped = List.copyOf(skipped);
            if (volumes.isEmpty()) throw new IllegalArgumentException("an assembled series has at least one volume");
        }
    }

    record Refused(RefusalReason reason, String detail) implements AssemblyResult {
        public Refused {
            Objects.requireNonNull(reason);
            Objects.requireNonNull(detail);
        }
    }
}
