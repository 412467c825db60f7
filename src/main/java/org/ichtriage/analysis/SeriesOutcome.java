package org.ichtriage.analysis;

import java.util.List;
import java.util.Optional;

import org.ichtriage.events.DeadLetter;
import org.ichtriage.events.ResultEvent;

/** What analysis made of a series: a result (with its DICOM outputs), or a refusal with its reason. */
public sealed interface SeriesOutcome {

    /** @param seg the DICOM SEG; empty when no hemorrhage was found */
    record Analyzed(ResultEvent event, Optional<DerivedObjectWriter.Built> seg, List<DerivedObjectWriter.Built> keyImages)
            implements SeriesOutcome {}

    record Refused(DeadLetter deadLetter) implements SeriesOutcome {}
}
