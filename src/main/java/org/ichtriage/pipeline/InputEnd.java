package org.ichtriage.pipeline;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.common.TopicPartition;

/**
 * Where the worker's input partitions end, as seen from outside the stream thread. A stream thread
 * that reads nothing may have drained its input or may be stalled (a fetch waiting on a restarting
 * broker, a rebalance, a slow commit); only the end of the partition tells the two apart.
 */
public interface InputEnd {
    /**
     * The offset the next record written to {@code partition} will get, as of a recent look-up;
     * empty while unknown (not looked up yet, or not lately).
     */
    OptionalLong endOffset(TopicPartition partition);

    /**
     * The offset the group resumes {@code partition} from (its last committed position): where a task
     * that has not taken a record yet stands. Empty while unknown.
     */
    OptionalLong committedOffset(TopicPartition partition);

    /**
     * The ends known to the processors of one application. Keyed by application id because Kafka
     * Streams builds the processors itself; a topology run without one (a test driver that wires
     * none) keeps the receive-time rule alone.
     */
    final class Registry {
        private static final ConcurrentMap<String, List<InputEnd>> BY_APPLICATION = new ConcurrentHashMap<>();

        private Registry() {}

        /** Ends a registration; closing twice does nothing. */
        public interface Registration extends AutoCloseable {
            @Override
            void close();
        }

        /** Makes {@code source} the input end of {@code applicationId}'s processors until the returned handle is closed. */
        public static Registration register(String applicationId, InputEnd source) {
            BY_APPLICATION.computeIfAbsent(applicationId, id -> new CopyOnWriteArrayList<>()).add(source);
            // several runners of one application in one process (tests) read the same topic: any of them answers
            return () -> BY_APPLICATION.computeIfPresent(applicationId, (id, sources) -> {
                sources.remove(source);
                return sources.isEmpty() ? null : sources;
            });
        }

        static Optional<InputEnd> of(String applicationId) {
            List<InputEnd> sources = BY_APPLICATION.get(applicationId);
            if (sources == null || sources.isEmpty()) {
                return Optional.empty();
            }
            // read through the registry at each call, so that a runner closing leaves the others' answers
            return Optional.of(new InputEnd() {
                @Override
                public OptionalLong endOffset(TopicPartition partition) {
                    List<InputEnd> now = BY_APPLICATION.getOrDefault(applicationId, List.of());
                    return now.isEmpty() ? OptionalLong.empty() : now.get(0).endOffset(partition);
                }

                @Override
                public OptionalLong committedOffset(TopicPartition partition) {
                    List<InputEnd> now = BY_APPLICATION.getOrDefault(applicationId, List.of());
                    return now.isEmpty() ? OptionalLong.empty() : now.get(0).committedOffset(partition);
                }
            });
        }
    }
}
