package org.ichtriage.cli;

import org.ichtriage.Topics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.ichtriage.phantom.CtSeriesWriter;
import org.ichtriage.pipeline.SeriesAssemblyProcessor;
import org.ichtriage.events.ResultEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ichtriage.kafka.EmbeddedKafka;

/**
 * Workers are separate processes (`run --role worker`) against one broker. A worker killed with
 * SIGKILL in the middle of a series, or while sharing partitions with another, loses nothing and
 * duplicates nothing: exactly one result per series (exactly-once processing, state restored from
 * the changelog).
 */
class WorkerFailoverIT {
    @TempDir
    Path tmp;
    @RegisterExtension
    final WorkerProcesses workers = new WorkerProcesses();

    private Process worker(String name) throws Exception {
        return worker(name, 3000);
    }

    private Process worker(String name, long completionGapMs) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        int http = EmbeddedKafka.freePort("127.0.0.1");
        Process p = workers.launch(dir, http, completionGapMs);
        WorkerProcesses.millisUntilReady(p, dir, http, Duration.ofSeconds(90));
        return p;
    }

    private KafkaProducer<String, byte[]> producer() {
        return producer(workers.bootstrapServers());
    }

    /** A producer as the ingest configures one: acks=all, records up to the topic's size limit. */
    static KafkaProducer<String, byte[]> producer(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** n uniform 64x64 slices 5 mm apart: quick to analyse with the tiny test model. */
    static List<byte[]> series(CtSeriesWriter.StudyIdentity id, int n) {
        List<CtSeriesWriter.HuSlice> slices = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            short[] hu = new short[64 * 64];
            java.util.Arrays.fill(hu, (short) 30);
            slices.add(new CtSeriesWriter.HuSlice(hu));
        }
        return CtSeriesWriter.write(id, slices, 64, 64, 3.0, 5.0, false);
    }

    /** Reads committed results until quiet; returns them per series. */
    private Map<String, List<ResultEvent>> results(int expectedSeries, Duration timeout) {
        return workers.results(expectedSeries, timeout, Duration.ofSeconds(8)); // a duplicate would show up within the 8 s
    }

    @Test
    void workerKilledMidSeriesGivesExactlyOneCompleteResultAfterRestart() throws Exception {
        Process first = worker("worker-a");
        var id = CtSeriesWriter.StudyIdentity.random("CRASH");
        List<byte[]> all = series(id, 12);
        try (KafkaProducer<String, byte[]> p = producer()) {
            for (byte[] b : all.subList(0, 6)) {
                p.send(new ProducerRecord<>(Topics.INSTANCES, id.seriesInstanceUid(), b)).get();
            }
            Thread.sleep(1500); // the worker has taken the first half into its store
            first.destroyForcibly().waitFor(); // SIGKILL: no clean shutdown, no final commit
            for (byte[] b : all.subList(6, 12)) {
                p.send(new ProducerRecord<>(Topics.INSTANCES, id.seriesInstanceUid(), b)).get();
            }
        }
        worker("worker-b"); // a new machine: empty state folder, state comes back from the changelog
        Map<String, List<ResultEvent>> r = results(1, Duration.ofMinutes(3));
        assertEquals(1, r.getOrDefault(id.seriesInstanceUid(), List.of()).size(), "exactly one result: " + r);
        assertEquals(12, r.get(id.seriesInstanceUid()).get(0).provenance().instanceCount(), "no slice lost");
    }

    @Test
    void twoWorkersSharePartitionsAndSurviveTheLossOfOne() throws Exception {
        // Series close by force-complete records, not by the gap: on a loaded machine the pause around the
        // kill could legitimately exceed a short gap and give a second revision, which is not what this tests.
        long neverByGap = Duration.ofMinutes(30).toMillis();
        Process a = worker("worker-a", neverByGap);
        worker("worker-b", neverByGap);
        List<CtSeriesWriter.StudyIdentity> ids = new ArrayList<>();
        try (KafkaProducer<String, byte[]> p = producer()) {
            for (int s = 0; s < 6; s++) {
                var id = CtSeriesWriter.StudyIdentity.random("SHARE" + s);
                ids.add(id);
                List<byte[]> all = series(id, 8);
                for (byte[] b : all.subList(0, 4)) {
                    p.send(new ProducerRecord<>(Topics.INSTANCES, id.seriesInstanceUid(), b)).get();
                }
            }
            Thread.sleep(1500);
            a.destroyForcibly().waitFor();
            for (var id : ids) {
                List<byte[]> rest = series(id, 8).subList(4, 8); // new SOP UIDs: the series simply has 8 instances
                for (byte[] b : rest) {
                    p.send(new ProducerRecord<>(Topics.INSTANCES, id.seriesInstanceUid(), b)).get();
                }
                ProducerRecord<String, byte[]> close = new ProducerRecord<>(Topics.INSTANCES, id.seriesInstanceUid(), new byte[0]);
                close.headers().add(SeriesAssemblyProcessor.CONTROL_HEADER,
                        SeriesAssemblyProcessor.FORCE_COMPLETE.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                p.send(close).get();
            }
        }
        Map<String, List<ResultEvent>> r = results(ids.size(), Duration.ofMinutes(4));
        for (var id : ids) {
            List<ResultEvent> got = r.getOrDefault(id.seriesInstanceUid(), List.of());
            assertEquals(1, got.size(), "exactly one result for " + id.seriesInstanceUid() + ": " + got.size());
            assertEquals(8, got.get(0).provenance().instanceCount(), "all 8 instances of " + id.seriesInstanceUid());
            assertEquals("FORCED", got.get(0).provenance().completionReason());
        }
    }
}
