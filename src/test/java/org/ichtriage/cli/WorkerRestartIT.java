package org.ichtriage.cli;

import org.ichtriage.Topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.ichtriage.config.IchConfig;
import org.ichtriage.events.EventJson;
import org.ichtriage.events.ResultEvent;
import org.ichtriage.kafka.EmbeddedKafka;
import org.ichtriage.kafka.TopicCatalog;
import org.ichtriage.phantom.CtSeriesWriter;
import org.ichtriage.pipeline.SeriesAssemblyProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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
    private EmbeddedKafka broker;
    private final List<Process> workers = new ArrayList<>();

    @BeforeEach
    void startBroker() throws Exception {
        broker = new EmbeddedKafka(tmp.resolve("kafka"), "127.0.0.1", 0).start();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            TopicCatalog.ensureTopics(admin, new IchConfig.Topics(4, (short) 1, 24));
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (Process p : workers) {
            p.destroyForcibly().waitFor();
        }
        broker.close();
    }

    private Process launch(Path dir, int http) throws Exception {
        List<String> cmd = RunCommandIT.javaCommand(dir);
        cmd.addAll(List.of("run", "--role", "worker", "--bootstrap-servers", broker.bootstrapServers(),
                "--state-dir", dir.resolve("state").toString(), "--http-port", String.valueOf(http),
                "--set", "model.path=" + RunCommandIT.TEST_MODEL,
                "--set", "pipeline.completion-gap-ms=" + Duration.ofMinutes(30).toMillis()));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("out.log").toFile())).start();
        workers.add(p);
        return p;
    }

    /** Milliseconds from launch until /health/ready answers 200. */
    private long millisUntilReady(Process p, Path dir, int http) throws Exception {
        long t0 = System.nanoTime();
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            assertTrue(p.isAlive(), () -> "worker died: " + WorkerFailoverIT.read(dir.resolve("out.log")));
            try {
                if (client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return (System.nanoTime() - t0) / 1_000_000;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("never ready: " + WorkerFailoverIT.read(dir.resolve("out.log")));
    }

    private List<ResultEvent> results(String seriesUid, Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "restart-check-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ResultEvent> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(Topics.RESULTS));
            long deadline = System.currentTimeMillis() + timeout.toMillis();
            long quietUntil = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(250))) {
                    if (seriesUid.equals(r.key())) {
                        out.add(EventJson.fromBytes(r.value(), ResultEvent.class));
                    }
                }
                if (!out.isEmpty() && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.currentTimeMillis() + 5_000; // a duplicate would show up now
                }
            }
        }
        return out;
    }

    @Test
    void workerKilledAndRestartedOnItsStateFolderIsReadySoonAndLosesNothing() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("worker"));
        int http = EmbeddedKafka.freePort("127.0.0.1");
        Process first = launch(dir, http);
        long coldStart = millisUntilReady(first, dir, http);
        var id = CtSeriesWriter.StudyIdentity.random("RESTART");
        List<byte[]> all = WorkerFailoverIT.series(id, 10);
        try (KafkaProducer<String, byte[]> p = WorkerFailoverIT.producer(broker.bootstrapServers())) {
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
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
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
