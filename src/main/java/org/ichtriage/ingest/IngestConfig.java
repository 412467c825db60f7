package org.ichtriage.ingest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.ichtriage.dicom.codec.DicomLimits;

/**
 * Settings of the hand-off from the C-STORE SCP to Kafka.
 *
 * @param topic          normally {@code ich.instances.v1}
 * @param sendTimeout    longest wait for the broker's acknowledgement before answering A700 (default 10 s)
 * @param maxRequestSize producer max.request.size; must exceed the largest Part 10 instance
 * @param lingerMs       producer linger.ms; every C-STORE-RSP waits for its record, so this adds to each image's latency
 * @param spoolDir       if present, a copy of every instance is written there as {@code <sanitized SOP Instance UID>.dcm}
 * @param limits         bounds for parsing the received dataset
 */
public record IngestConfig(String topic, Duration sendTimeout, int maxRequestSize, int lingerMs,
                           Optional<Path> spoolDir, DicomLimits limits) {
    public static final String INSTANCES_TOPIC = org.ichtriage.Topics.INSTANCES;

    public IngestConfig {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(sendTimeout, "sendTimeout");
        Objects.requireNonNull(spoolDir, "spoolDir");
        Objects.requireNonNull(limits, "limits");
        if (sendTimeout.isNegative() || sendTimeout.isZero()) {
            throw new IllegalArgumentException("sendTimeout must be positive: " + sendTimeout);
        }
        if (maxRequestSize < 1024 * 1024) {
            throw new IllegalArgumentException("maxRequestSize below 1 MiB cannot carry a CT slice: " + maxRequestSize);
        }
        if (lingerMs < 0 || lingerMs > 100) {
            throw new IllegalArgumentException("lingerMs must be 0..100: " + lingerMs);
        }
    }

    public static IngestConfig defaults() {
        return new IngestConfig(INSTANCES_TOPIC, Duration.ofSeconds(10), org.ichtriage.Topics.MAX_MESSAGE_BYTES, 0, Optional.empty(),
                DicomLimits.DEFAULT);
    }

    public IngestConfig withSendTimeout(Duration d) {
        return new IngestConfig(topic, d, maxRequestSize, lingerMs, spoolDir, limits);
    }

    public IngestConfig withSpoolDir(Path dir) {
        return new IngestConfig(topic, sendTimeout, maxRequestSize, lingerMs, Optional.ofNullable(dir), limits);
    }

    public IngestConfig withTopic(String t) {
        return new IngestConfig(t, sendTimeout, maxRequestSize, lingerMs, spoolDir, limits);
    }
}
