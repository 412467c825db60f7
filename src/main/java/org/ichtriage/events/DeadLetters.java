package org.ichtriage.events;

import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/** Makes the dead letters of one component: the reason gives the stage, the component gives the time and its version. */
public final class DeadLetters {
    private final Supplier<Instant> now;
    private final String softwareVersion;

    public DeadLetters(Supplier<Instant> now, String softwareVersion) {
        this.now = now;
        this.softwareVersion = softwareVersion;
    }

    /**
     * @param revision        the series revision, null when none was opened
     * @param sopInstanceUids the instances concerned, null or empty when none is known
     */
    public DeadLetter of(DeadLetterReason reason, String detail, String seriesInstanceUid, Integer revision,
                         List<String> sopInstanceUids, String sourceTopic, List<ResultEvent.OffsetRange> offsets) {
        return new DeadLetter(DeadLetter.SCHEMA, now.get().toString(), reason.stage().name(), reason.name(), detail,
                seriesInstanceUid, revision, sopInstanceUids, sourceTopic, offsets, softwareVersion, null);
    }

    /** A dead letter about the single record at {@code partition}/{@code offset} of {@code sourceTopic}. */
    public DeadLetter ofRecord(DeadLetterReason reason, String detail, String seriesInstanceUid, Integer revision,
                               List<String> sopInstanceUids, String sourceTopic, int partition, long offset) {
        return of(reason, detail, seriesInstanceUid, revision, sopInstanceUids, sourceTopic,
                List.of(new ResultEvent.OffsetRange(partition, offset, offset)));
    }

    /** A forwarding dead letter: the record at {@code partition}/{@code offset} was not delivered to {@code destination}. */
    public DeadLetter ofForwarding(DeadLetterReason reason, String detail, String seriesInstanceUid, List<String> sopInstanceUids,
                                   String sourceTopic, int partition, long offset, String destination) {
        return new DeadLetter(DeadLetter.SCHEMA, now.get().toString(), reason.stage().name(), reason.name(), detail,
                seriesInstanceUid, null, sopInstanceUids, sourceTopic, List.of(new ResultEvent.OffsetRange(partition, offset, offset)),
                softwareVersion, destination);
    }
}
