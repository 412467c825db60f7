package org.ichtriage.testing;

import org.ichtriage.analysis.OffsetRanges;
import org.ichtriage.analysis.SeriesBatch;
import org.ichtriage.events.ResultEvent;

/** The tests' sample result event: what an analyzer stand-in reports of a batch, before the test sets its own values. */
public final class SampleEvents {
    private SampleEvents() {
    }

    /** Series, revision, an empty SEG, a dummy model, provenance of the batch and zero timings; the rest is the test's. */
    public static ResultEvent.Builder forBatch(SeriesBatch batch) {
        return ResultEvent.builder()
                .revision(batch.revision())
                .seriesInstanceUid(batch.seriesInstanceUid())
                .seg(new ResultEvent.Seg(null, null, 0, true))
                .model(new ResultEvent.Model("m", "1", "0".repeat(64), "CPU"))
                .software(new ResultEvent.Software("ich-triage", "dev"))
                .provenance(new ResultEvent.Provenance(batch.sourceTopic(), OffsetRanges.of(batch.instances()), batch.instances().size(),
                        "sha256:" + "0".repeat(64), batch.reason().name(), "test"))
                .timingsMs(new ResultEvent.Timings(0, 0, 0, 0, 0, 0, 0, 0));
    }
}
