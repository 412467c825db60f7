package org.ichtriage.board;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.ichtriage.events.DeadLetter;
import org.ichtriage.events.ForwardingStatus;
import org.ichtriage.events.ResultEvent;
import org.junit.jupiter.api.Test;

class WorklistOrderTest {
    private static ResultEvent event(String series, String category, boolean large, String expansion, String createdAt) {
        boolean detected = !"negative".equals(category);
        return ResultEvent.builder().eventId("e-" + series).revision(1).createdAt(createdAt).studyInstanceUid("1.2").seriesInstanceUid(series)
                .volume(new ResultEvent.Volume(large ? 40 : 5, new ResultEvent.Interval(4, 6), 5, 10, 30, 3))
                .flags(new ResultEvent.Flags(detected, large, "indeterminate".equals(category), "indeterminate".equals(category)))
                .triageCategory(category)
                .expansion(expansion == null ? null : new ResultEvent.Expansion("e0", 2, "2026-11-30T00:00:00Z", 6, 3, 1.5,
                        ResultEvent.HematomaExpansion.valueOf(expansion)))
                .seg(new ResultEvent.Seg("1.9", "1.8", 3, false)).keyImageSopInstanceUids(List.of("1.7", "1.6"))
                .forwarding(new ResultEvent.Forwarding(ResultEvent.ForwardingState.PENDING, List.of("PACS")))
                .model(new ResultEvent.Model("slexnet-ich", "2.0.0", "ab", "CPU")).build();
    }

    @Test
    void mostUrgentFirstThenNewestFirst() {
        List<WorklistRow> rows = new ArrayList<>(List.of(
                WorklistRow.of(event("neg-new", "negative", false, null, "2026-12-01T10:00:00Z"), "2026-12-01T10:00:00Z", ""),
                WorklistRow.of(event("pos-old", "positive", false, null, "2026-12-01T08:00:00Z"), "2026-12-01T08:00:00Z", ""),
                WorklistRow.of(event("pos-new", "positive", false, null, "2026-12-01T09:00:00Z"), "2026-12-01T09:00:00Z", ""),
                WorklistRow.of(event("expanding", "positive", false, "YES", "2026-12-01T07:00:00Z"), "2026-12-01T07:00:00Z", ""),
                WorklistRow.of(event("large-old", "positive", true, null, "2026-12-01T06:00:00Z"), "2026-12-01T06:00:00Z", ""),
                WorklistRow.of(event("indet", "indeterminate", true, null, "2026-12-01T11:00:00Z"), "2026-12-01T11:00:00Z", ""),
                WorklistRow.of(new DeadLetter("ich-deadletter.v1", "2026-12-01T12:00:00Z", "ASSEMBLY", "TOO_FEW_SLICES", "2 slices",
                        "dead", null, List.of(), "ich.instances.v1", List.of(), "0.1.0", null), "deadletter:0:1")));
        rows.sort(BoardView.WORKLIST_ORDER);
        assertEquals(List.of("expanding", "large-old", "pos-new", "pos-old", "indet", "neg-new", "dead"),
                rows.stream().map(WorklistRow::seriesInstanceUid).toList());
        assertEquals(List.of(Priority.CRITICAL, Priority.CRITICAL, Priority.POSITIVE, Priority.POSITIVE, Priority.INDETERMINATE,
                Priority.NEGATIVE, Priority.DEAD_LETTER), rows.stream().map(WorklistRow::priority).toList());
        assertEquals(List.of("ICH", "EXPANSION"), rows.get(0).finding().flags(), "a flag is a word, not only a colour");
    }

    @Test
    void forwardingProgressCountsEachObjectAtEachDestinationOnce() {
        ResultEvent e = event("s", "positive", false, null, "2026-12-01T10:00:00Z");
        ForwardingStatus segSent = new ForwardingStatus("ich-forwarding.v1", e.eventId(), "s", "1.9", "seg", "PACS",
                ForwardingStatus.Status.SENT, 1, "0000", "2026-12-01T10:00:01Z");
        ForwardingStatus keySent = new ForwardingStatus("ich-forwarding.v1", e.eventId(), "s", "1.7", "key-image", "PACS",
                ForwardingStatus.Status.SENT, 2, "0000", "2026-12-01T10:00:02Z");
        BoardView.ForwardingProgress p = BoardView.forwardingProgress(e, List.of(segSent, segSent, keySent), List.of());
        assertEquals("pending 2/3", p.text(), "a repeated status record counts once");
        assertEquals(1, p.pending());
        ForwardingStatus lastSent = new ForwardingStatus("ich-forwarding.v1", e.eventId(), "s", "1.6", "key-image", "PACS",
                ForwardingStatus.Status.FAILED, 5, "A700", "2026-12-01T10:00:03Z");
        assertEquals("failed 1 of 3", BoardView.forwardingProgress(e, List.of(segSent, keySent, lastSent), List.of()).text());
        assertEquals(0, BoardView.forwardingProgress(e, List.of(segSent, keySent, lastSent), List.of()).pending());
    }
}
