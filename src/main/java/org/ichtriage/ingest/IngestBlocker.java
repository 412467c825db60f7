package org.ichtriage.ingest;

import java.util.List;
import java.util.Optional;

/**
 * A condition under which no C-STORE may be answered Success, such as a nearly full disk or a failed
 * embedded broker: while it holds, every instance is refused with A700 before it is read.
 */
@FunctionalInterface
public interface IngestBlocker {
    IngestBlocker NONE = () -> Optional.empty();

    /**
     * Empty while ingest may accept; otherwise the Error Comment of the refusal. DICOM keeps 64
     * characters of it, so it names the cause and the setting briefly; the full reason is for the log
     * and /health/ready.
     */
    Optional<String> refusal();

    /** The first refusal of any of them. */
    static IngestBlocker anyOf(List<IngestBlocker> blockers) {
        List<IngestBlocker> all = List.copyOf(blockers);
        return () -> {
            for (IngestBlocker b : all) {
                Optional<String> r = b.refusal();
                if (r.isPresent()) {
                    return r;
                }
            }
            return Optional.empty();
        };
    }
}
