package org.ichtriage.ingest;

import java.util.Optional;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import org.ichtriage.dicom.net.StoreHandler;
import org.ichtriage.dicom.net.StoreRequest;
import org.ichtriage.dicom.net.StoreStatus;

/**
 * Answers A700 (Out of resources) with the blocker's reason while an {@link IngestBlocker} holds, and
 * hands the C-STORE to the next handler otherwise. The blocker logs its own transitions once; a
 * refused image is only counted, so a full disk does not also flood the log.
 */
final class BlockableStoreHandler implements StoreHandler {
    private final IngestBlocker blocker;
    private final StoreHandler next;

    BlockableStoreHandler(IngestBlocker blocker, StoreHandler next) {
        this.blocker = blocker;
        this.next = next;
    }

    @Override
    public StoreStatus store(StoreRequest request) {
        Optional<String> refusal = blocker.refusal();
        if (refusal.isPresent()) {
            // the same meter as KafkaInstanceSink's, so that every answer is counted by status in one place
            Counter.builder("ich_ingest_instances_total")
                    .description("C-STORE requests answered, by DICOM status (0000 stored, A700 Kafka did not confirm, ...)")
                    .tag("status", "A700").register(Metrics.globalRegistry).increment();
            return StoreStatus.failure(StoreStatus.OUT_OF_RESOURCES, refusal.get());
        }
        return next.store(request);
    }
}
