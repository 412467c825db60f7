package org.ichtriage.analysis;

import java.util.List;

/** A complete series revision, handed from assembly to analysis. */
public record SeriesBatch(String seriesInstanceUid, int revision, CompletionReason reason,
                          List<ReceivedInstance> instances, String sourceTopic) {

    public long lastReceivedAtMs() {
        return instances.stream().mapToLong(ReceivedInstance::receivedAtMs).max().orElse(0);
    }
}
