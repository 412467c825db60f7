package org.ichtriage.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.ichtriage.Topics;
import org.ichtriage.config.IchConfig;
import org.ichtriage.events.EventJson;
import org.ichtriage.events.ResultEvent;
import org.ichtriage.kafka.EmbeddedKafka;
import org.ichtriage.kafka.TopicCatalog;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Worker processes (`run --role worker`) against a broker of their own, fresh for each test: the
 * service's topics with four partitions, so that two workers share them. After each test every
 * worker still running is killed and the broker stopped. Not {@code EmbeddedKafkaExtension}: a
 * broker per class would carry one test's consumer group, changelogs and results into the next.
 */
final class WorkerProcesses implements BeforeEachCallback, AfterEachCallback {
    private final List<Process> workers = new ArrayList<>();
    private Path dir;
    private EmbeddedKafka broker;

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("ich-workers-it-");
        broker = new EmbeddedKafka(dir.resolve("kafka"), "127.0.0.1", 0).start();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            TopicCatalog.ensureTopics(admin, new IchConfig.Topics(4, (short) 1, 24));
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (Process p : workers) {
            p.destroyForcibly().waitFor();
        }
        workers.clear();
        if (broker != null) {
            broker.close();
            broker = null;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /**
     * Starts a worker with its state in {@code workDir/state} and its output appended to
     * {@code workDir/out.log} (a restart on the same folder keeps the first run's log).
     */
    static final int TRANSACTION_TIMEOUT_MS = 20_000;

    Process launch(Path workDir, int httpPort, long completionGapMs) throws IOException {
        List<String> cmd = RunCommandIT.javaCommand(workDir);
        cmd.addAll(List.of("run", "--role", "worker", "--bootstrap-servers", broker.bootstrapServers(),
                "--state-dir", workDir.resolve("state").toString(), "--http-port", String.valueOf(httpPort),
                "--set", "model.path=" + RunCommandIT.TEST_MODEL, "--set", "pipeline.completion-gap-ms=" + completionGapMs,
                // a worker killed inside its transaction holds its partitions from the next one until the transaction
                // times out; the test model's analyses take about a second, so 20 s is plenty and keeps the takeover
                // within the readiness wait (with the 10 min default it was not, when a kill hit a commit)
                "--set", "pipeline.transaction-timeout-ms=" + TRANSACTION_TIMEOUT_MS));
        Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve("out.log").toFile())).start();
        workers.add(p);
        return p;
    }

    /** Milliseconds from now until the worker's /health/ready answers 200; fails with its log when it dies or the timeout passes. */
    static long millisUntilReady(Process p, Path workDir, int httpPort, Duration timeout) throws InterruptedException {
        long t0 = System.nanoTime();
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (System.currentTimeMillis() < deadline) {
            assertTrue(p.isAlive(), () -> workDir.getFileName() + " died: " + log(workDir));
            try {
                if (client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return (System.nanoTime() - t0) / 1_000_000;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError(workDir.getFileName() + " never ready: " + log(workDir));
    }

    /**
     * The committed results per series, read from the start of the results topic by a new group: once
     * {@code expectedSeries} series have one, reading goes on for {@code quiet} so that a duplicate would
     * show; or what came within {@code timeout}.
     */
    Map<String, List<ResultEvent>> results(int expectedSeries, Duration timeout, Duration quiet) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "results-check-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, List<ResultEvent>> out = new HashMap<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(Topics.RESULTS));
            long deadline = System.currentTimeMillis() + timeout.toMillis();
            long quietUntil = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(250))) {
                    out.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(EventJson.fromBytes(r.value(), ResultEvent.class));
                }
                if (out.size() >= expectedSeries && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.currentTimeMillis() + quiet.toMillis();
                }
            }
        }
        return out;
    }

    static String log(Path workDir) {
        try {
            return Files.readString(workDir.resolve("out.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
