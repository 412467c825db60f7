package org.ichtriage.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.ichtriage.events.ResultEvent;

/** Summarises where a set of instances sits on the input topic, per partition. */
public final class OffsetRanges {
    private OffsetRanges() {}

    public static List<ResultEvent.OffsetRange> of(List<ReceivedInstance> instances) {
        Map<Integer, long[]> byPartition = new TreeMap<>();
        for (ReceivedInstance r : instances) {
            byPartition.merge(r.partition(), new long[] {r.offset(), r.offset()},
                    (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        }
        List<ResultEvent.OffsetRange> out = new ArrayList<>();
        byPartition.forEach((p, r) -> out.add(new ResultEvent.OffsetRange(p, r[0], r[1])));
        return out;
    }
}
