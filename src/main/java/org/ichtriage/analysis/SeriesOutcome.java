package org.ichtriage.analysis;

import java.util.List;
import java.util.Optional;

import org.ichtriage.events.DeadLetter;
import org.ichtriage.events.ResultEvent;
import org.ichtriage.events.SkippedSeries;

/** What analysis made of a series: a result (with its DICOM outputs), a refusal with its reason, or a skip by the selection rules. */
public sealed interface SeriesOutcome {

    /** @param seg the DICOM SEG; empty when no hemorrhage was found */
    record Analyzed(ResultEvent event, Optional<DerivedObjectWriter.Built> seg, List<DerivedObjectWriter.Built> keyImages)
            implements SeriesOutcome {}

    record Refused(DeadLetter deadLetter) implements SeriesOutcome {}

    /** Not a series the model reads (series selection rules): recorded on ich.skipped.v1, not as an error. */
    record Skipped(SkippedSeries skipped) implements SeriesOutcome {}
}
