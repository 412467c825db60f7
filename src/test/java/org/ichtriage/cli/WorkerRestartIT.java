package org.ichtriage.cli;

import org.ichtriage.Topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.ichtriage.events.ResultEvent;
import org.ichtriage.kafka.EmbeddedKafka;
import org.ichtriage.phantom.CtSeriesWriter;
import org.ichtriage.pipeline.SeriesAssemblyProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker killed with SIGKILL and started again on the same state folder (a container restart
 * with its volume kept) is ready again quickly: it rejoins the group under the same static member id
 * instead of waiting for the broker to expire the dead member, and the open series it held is
 * completed once, with every slice.
 */
class WorkerRestartIT {
    @TempDir
    Path tmp;
    @RegisterExtension
    final WorkerProcesses workers = new WorkerProcesses();

    private Process launch(Path dir, int http) throws Exception {
        return workers.launch(dir, http, Duration.ofMinutes(30).toMillis());
    }

    /** Milliseconds from launch until /health/ready answers 200. */
    private static long millisUntilReady(Process p, Path dir, int http) throws Exception {
        return WorkerProcesses.millisUntilReady(p, dir, http, Duration.ofSeconds(120));
    }

    private List<ResultEvent> results(String seriesUid, Duration timeout) {
        // a duplicate would show up within the 5 s
        return workers.results(1, timeout, Duration.ofSeconds(5)).getOrDefault(seriesUid, List.of());
    }

    @Test
    void workerKilledAndRestartedOnItsStateFolderIsReadySoonAndLosesNothing() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("worker"));
        int http = EmbeddedKafka.freePort("127.0.0.1");
        Process first = launch(dir, http);
        long coldStart = millisUntilReady(first, dir, http);
        var id = CtSeriesWriter.StudyIdentity.random("RESTART");
        List<byte[]> all = WorkerFailoverIT.series(id, 10);
        try (KafkaProducer<String, byte[]> p = WorkerFailoverIT.producer(workers.bootstrapServers())) {
            for (byte[] b : all.subList(0, 5)) {
                p.send(new ProducerRecord<>(Topics.INSTANCES, id.seriesInstanceUid(), b)).get();
            }
            Thread.sleep(3000); // the worker has taken the first half into its store and committed it
            first.destroyForcibly().waitFor(); // SIGKILL: no clean shutdown, no leave-group, no checkpoint

            Process second = launch(dir, http);
            long afterKill = millisUntilReady(second, dir, http);
            System.out.printf("worker ready: cold start %d ms, after kill -9 on the same state folder %d ms%n",
                    coldStart, afterKill);
            // Without static membership the new member waits for the dead one's session to expire;
            // the bound is loose on purpose (a loaded 2-core machine), the figure is printed.
            assertTrue(afterKill < 40_000, "ready " + afterKill + " ms after kill -9");
            String memberId = Files.readString(dir.resolve("state/streams/instance-id")).strip();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", workers.bootstrapServers()))) {
                var members = admin.describeConsumerGroups(List.of("ich-triage-worker")).all().get()
                        .get("ich-triage-worker").members();
                assertEquals(1, members.size(), "the restarted process replaced its old member: " + members);
                assertEquals(java.util.Optional.of(memberId + "-1"), members.iterator().next().groupInstanceId(),
                        "static member id kept in the state folder, plus Streams' thread number");
            }

            for (byte[] b : all.subList(5, 10)) {
                p.send(new ProducerRecord<>(Topics.INSTANCES, id.seriesInstanceUid(), b)).get();
            }
            ProducerRecord<String, byte[]> close = new ProducerRecord<>(Topics.INSTANCES, id.seriesInstanceUid(), new byte[0]);
            close.headers().add(SeriesAssemblyProcessor.CONTROL_HEADER,
                    SeriesAssemblyProcessor.FORCE_COMPLETE.getBytes(StandardCharsets.UTF_8));
            p.send(close).get();
        }
        List<ResultEvent> got = results(id.seriesInstanceUid(), Duration.ofMinutes(3));
        assertEquals(1, got.size(), "exactly one result: " + got);
        assertEquals(10, got.get(0).provenance().instanceCount(), "the slices taken before the kill are kept");
    }
}
