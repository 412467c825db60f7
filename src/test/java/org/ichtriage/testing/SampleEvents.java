package org.ichtriage.testing;

import java.time.Instant;
import java.util.UUID;

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

    /**
     * A complete negative result of the batch: a fresh event id, created now, of study 1.2, no blood,
     * every slice counted, no flags. For tests about when and how often a series is analysed, not what.
     */
    public static ResultEvent negative(SeriesBatch batch) {
        return forBatch(batch).eventId(UUID.randomUUID().toString())
                .createdAt(Instant.now().toString()).studyInstanceUid("1.2")
                .volume(new ResultEvent.Volume(0, new ResultEvent.Interval(0, 0), 0, 0, batch.instances().size(), 0))
                .uncertainty(new ResultEvent.Uncertainty(0, 0, 0, 0.1)).flags(new ResultEvent.Flags(false, false, false, false))
                .build();
    }
}
