package org.ichtriage.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.ichtriage.pipeline.SeriesAssemblyProcessor;
import org.junit.jupiter.api.Test;
import org.ichtriage.UserError;

/**
 * The replay's copy of the range into its input topic. A broker that fails one write (an
 * idempotent producer fails a batch and goes on with the next ones after an out-of-order
 * sequence) must not leave a series closed without that instance. The failure is injected
 * here because a real broker cannot be made to fail one chosen write.
 */
class ReplayInputTest {

    /** Fails the writes the predicate picks, as a broker would: the future completes exceptionally. */
    private static final class FailingProducer extends MockProducer<String, byte[]> {
        private final Predicate<ProducerRecord<String, byte[]>> fail;
        final List<ProducerRecord<String, byte[]>> attempts = new ArrayList<>();

        FailingProducer(Predicate<ProducerRecord<String, byte[]>> fail) {
            super(true, null, new StringSerializer(), new ByteArraySerializer());
            this.fail = fail;
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
            attempts.add(record);
            if (fail.test(record)) {
                return CompletableFuture.failedFuture(new OutOfOrderSequenceException("injected: sequence 3 out of order"));
            }
            return super.send(record);
        }
    }

    private static List<ConsumerRecord<String, byte[]>> range(int n) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(at(100 + i, 1_000L + i, "slice-" + i));
        }
        return out;
    }

    private static boolean isControl(ProducerRecord<String, byte[]> r) {
        return r.headers().lastHeader(SeriesAssemblyProcessor.CONTROL_HEADER) != null;
    }

    private static String value(ProducerRecord<String, byte[]> r) {
        return r.value() == null ? null : new String(r.value(), StandardCharsets.US_ASCII);
    }

    @Test
    void anInstanceWhoseWriteFailedIsWrittenAgainBeforeTheSeriesIsForcedComplete() throws Exception {
        int[] failuresLeft = {1};
        FailingProducer producer = new FailingProducer(r -> "slice-4".equals(value(r)) && failuresLeft[0]-- > 0);
        Replay.writeInput(producer, range(12), new LinkedHashSet<>(List.of("1.2.3")), "ich.replay-input.1");

        List<ProducerRecord<String, byte[]>> written = producer.history();
        assertEquals(13, written.size(), "12 instances and one control record landed");
        assertTrue(isControl(written.get(12)), "the control record is the last write");
        Set<String> instances = new LinkedHashSet<>();
        written.subList(0, 12).forEach(r -> instances.add(value(r)));
        assertEquals(12, instances.size(), "every instance landed once before the control record: " + instances);
        assertEquals(14, producer.attempts.size(), "slice-4 was sent twice");
        assertTrue(written.stream().allMatch(r -> r.partition() == 0 && "ich.replay-input.1".equals(r.topic())));
    }

    @Test
    void aWriteThatKeepsFailingStopsTheReplayWithTheCauseAndWritesNoControlRecord() {
        FailingProducer producer = new FailingProducer(r -> "slice-7".equals(value(r)));
        UserError e = assertThrows(UserError.class, () ->
                Replay.writeInput(producer, range(12), new LinkedHashSet<>(List.of("1.2.3")), "ich.replay-input.2"));
        assertTrue(e.getMessage().contains("1 instance record(s) could not be copied to ich.replay-input.2 in 3 attempts"), e.getMessage());
        assertTrue(e.getMessage().contains("injected: sequence 3 out of order"), e.getMessage());
        assertTrue(producer.history().stream().noneMatch(ReplayInputTest::isControl), "no series may be closed short");
    }

    @Test
    void instancesAreWrittenInTheirOriginalTimeOrderWithTheirTimestamps() throws Exception {
        List<ConsumerRecord<String, byte[]>> range = new ArrayList<>(List.of(at(5, 2_000L, "late"), at(9, 1_000L, "early")));
        FailingProducer producer = new FailingProducer(r -> false);
        Replay.writeInput(producer, range, new LinkedHashSet<>(List.of("1.2.3")), "t");
        List<ProducerRecord<String, byte[]>> written = producer.history();
        assertEquals(List.of("early", "late"), written.subList(0, 2).stream().map(ReplayInputTest::value).toList());
        assertEquals(1_000L, written.get(0).timestamp());
        assertEquals(2_000L, written.get(1).timestamp());
    }

    private static ConsumerRecord<String, byte[]> at(long offset, long timestamp, String value) {
        return new ConsumerRecord<>("ich.instances.v1", 0, offset, timestamp, TimestampType.CREATE_TIME, 0, 0, "1.2.3",
                value.getBytes(StandardCharsets.US_ASCII), new RecordHeaders(), Optional.empty());
    }
}
