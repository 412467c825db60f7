package org.ichtriage.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.ichtriage.Topics;
import org.ichtriage.config.IchConfig;
import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.DicomReader;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.dicom.net.Dcmtk;
import org.ichtriage.events.EventJson;
import org.ichtriage.events.InstanceHeaders;
import org.ichtriage.events.ResultEvent;
import org.ichtriage.kafka.EmbeddedKafka;
import org.ichtriage.phantom.CtSeriesWriter;
import org.ichtriage.testing.SeriesFiles;
import org.ichtriage.testing.TopicRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ich-triage on a replicated cluster: three KRaft nodes (each broker + controller, so the controller
 * quorum also survives the loss of one), topics with replication factor 3 and min.insync.replicas 2,
 * an ingest and a worker against it. storescu sends four series while the node leading the partition
 * of the later series is killed, and the node comes back on its ports and data folder afterwards.
 * Every instance answered Success is on ich.instances.v1 exactly once, and every series has exactly
 * one result.
 */
class BrokerClusterIT {
    static final String TEST_MODEL = Path.of("target/test-classes/models/test-tiny.onnx").toAbsolutePath().toString();
    private static final int SERIES = 4;
    private static final int SLICES = 24;
    private static final int PARTITIONS = 3;
    /** storescu's answers counted before the kill: the middle of the first series, well before the last one. */
    private static final int ANSWERS_BEFORE_KILL = 12;

    @TempDir
    Path tmp;

    @Test
    void acknowledgedInstancesAndOneResultPerSeriesSurviveTheLossOfABroker() throws Exception {
        assumeTrue(Dcmtk.available(), "dcmtk storescu is not installed (make test installs it)");
        List<EmbeddedKafka> nodes = EmbeddedKafka.cluster(tmp.resolve("kafka"), "127.0.0.1", 3);
        List<AutoCloseable> toClose = new ArrayList<>();
        try {
            startAll(nodes);
            String bootstrap = EmbeddedKafka.bootstrapServers(nodes);
            IchTriageService worker = new IchTriageService(config(bootstrap, "worker", Map.of(
                    "model.path", TEST_MODEL,
                    // Series complete by their Images in Acquisition. A series that lost an instance to an
                    // A700 completes by the gap, which must outlast any pause the broker loss causes
                    // (fencing after broker.session.timeout.ms 9 s, then the leader election), or the
                    // series would be analysed twice; early completion is off for the same reason.
                    "pipeline.completion-gap-ms", "30000",
                    "pipeline.early-completion-quiet-ms", "0"))).start();
            toClose.add(0, worker);
            IchTriageService ingest = new IchTriageService(config(bootstrap, "ingest", Map.of("dicom.port", "0"))).start();
            toClose.add(0, ingest);

            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                assertTopicIsReplicated(admin);

                List<CtSeriesWriter.StudyIdentity> ids = new ArrayList<>();
                Map<Path, String> sopByFile = new LinkedHashMap<>();
                Map<String, String> seriesBySop = new HashMap<>();
                for (int s = 0; s < SERIES; s++) {
                    var id = CtSeriesWriter.StudyIdentity.random("CLUSTER" + s);
                    ids.add(id);
                    List<byte[]> instances = series(id);
                    List<Path> files = SeriesFiles.write(tmp.resolve("series-" + s), instances);
                    for (int i = 0; i < files.size(); i++) {
                        String sop = DicomReader.readPart10(instances.get(i), DicomLimits.DEFAULT).dataset().getString(Tag.SOPInstanceUID);
                        sopByFile.put(files.get(i), sop);
                        seriesBySop.put(sop, id.seriesInstanceUid());
                    }
                }
                // kill the leader of the partition the last series goes to: its instances all come after the kill
                String lastSeries = ids.get(SERIES - 1).seriesInstanceUid();
                int partition = BuiltInPartitioner.partitionForKey(lastSeries.getBytes(StandardCharsets.UTF_8), PARTITIONS);
                int leaderId = describe(admin).partitions().get(partition).leader().id();
                EmbeddedKafka victim = nodes.stream().filter(n -> n.nodeId() == leaderId).findFirst().orElseThrow();

                double answeredAtStart = ingestAnswers();
                CompletableFuture<Dcmtk.Result> sending = CompletableFuture.supplyAsync(() -> {
                    try {
                        // --no-halt: go on after a refused instance, as a modality's queue does
                        return Dcmtk.storescu(ingest.dicomPort(), "ICHTRIAGE", List.of("--no-halt"), List.copyOf(sopByFile.keySet()));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                awaitTrue(() -> ingestAnswers() - answeredAtStart >= ANSWERS_BEFORE_KILL || sending.isDone(), Duration.ofSeconds(120),
                        Duration.ofMillis(2), "storescu's first answers");
                double answeredAtKill = ingestAnswers() - answeredAtStart;
                long killedAt = System.nanoTime();
                victim.close();
                System.out.printf("cluster test: node %d (leader of %s-%d) killed after %.0f answers, in %d ms%n", leaderId,
                        Topics.INSTANCES, partition, answeredAtKill, (System.nanoTime() - killedAt) / 1_000_000);
                assertTrue(answeredAtKill < SERIES * SLICES, "storescu was done before the kill; the test did not exercise it");

                Dcmtk.Result sent = sending.get(300, TimeUnit.SECONDS);
                long sendSeconds = (System.nanoTime() - killedAt) / 1_000_000_000;
                int newLeader = describe(admin).partitions().get(partition).leader().id();
                assertNotEquals(leaderId, newLeader, "the partition of the last series has a new leader");

                Map<String, Boolean> successBySop = storeAnswers(sent.output(), sopByFile);
                assertEquals(SERIES * SLICES, successBySop.size(), "an answer for every instance: " + sent.output());
                Set<String> acknowledged = successBySop.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey)
                        .collect(Collectors.toSet());
                long afterKill = acknowledged.stream().filter(sop -> seriesBySop.get(sop).equals(lastSeries)).count();
                assertTrue(afterKill > 0, "no instance of the last series was stored after its partition's leader died");

                long restartAt = System.nanoTime();
                victim.start();
                awaitTrue(() -> describe(admin).partitions().stream().allMatch(p -> p.isr().size() == 3), Duration.ofSeconds(180),
                        Duration.ofMillis(500), "the restarted node back in the in-sync replicas of every partition");
                long rejoinMs = (System.nanoTime() - restartAt) / 1_000_000;

                List<ConsumerRecord<String, byte[]>> onTopic = TopicRecords.await(bootstrap, Topics.INSTANCES, acknowledged.size(),
                        Duration.ofSeconds(120), Duration.ZERO);
                Map<String, Long> copies = onTopic.stream().collect(Collectors.groupingBy(
                        r -> new String(r.headers().lastHeader(InstanceHeaders.SOP_INSTANCE_UID).value(), StandardCharsets.UTF_8),
                        Collectors.counting()));
                Set<String> lost = acknowledged.stream().filter(sop -> !copies.containsKey(sop)).collect(Collectors.toSet());
                assertTrue(lost.isEmpty(), lost.size() + " instances answered Success are missing from " + Topics.INSTANCES);
                // the idempotent producer writes a record once even when it resent it across the leader change;
                // an instance answered A700 may still have been written (once), as its send went on after the answer
                Map<String, Long> duplicated = copies.entrySet().stream().filter(e -> e.getValue() > 1)
                        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
                assertEquals(Map.of(), duplicated, "instances written more than once");
                assertTrue(seriesBySop.keySet().containsAll(copies.keySet()), "only sent instances on the topic");

                Map<String, List<ResultEvent>> results = TopicRecords.await(bootstrap, Topics.RESULTS, SERIES, Duration.ofSeconds(240),
                                Duration.ofSeconds(10)).stream()
                        .collect(Collectors.groupingBy(ConsumerRecord::key,
                                Collectors.mapping(r -> EventJson.fromBytes(r.value(), ResultEvent.class), Collectors.toList())));
                for (var id : ids) {
                    String series = id.seriesInstanceUid();
                    List<ResultEvent> got = results.getOrDefault(series, List.of());
                    assertEquals(1, got.size(), "exactly one result for series " + series + ": " + got.size());
                    long instancesOnTopic = copies.keySet().stream().filter(sop -> seriesBySop.get(sop).equals(series)).count();
                    assertEquals(instancesOnTopic, got.get(0).provenance().instanceCount(),
                            "the result of " + series + " covers every instance of it on the topic");
                }
                System.out.printf("cluster test: %d Success, %d refused, %d records on %s, storescu done %d s after the kill, "
                                + "restarted node in sync after %d ms%n", acknowledged.size(), successBySop.size() - acknowledged.size(),
                        onTopic.size(), Topics.INSTANCES, sendSeconds, rejoinMs);
            }
        } finally {
            for (AutoCloseable c : toClose) {
                c.close();
            }
            nodes.forEach(EmbeddedKafka::close);
        }
    }

    private IchConfig config(String bootstrap, String role, Map<String, String> extra) {
        Map<String, String> s = new HashMap<>(Map.of(
                "role", role,
                "kafka.bootstrap-servers", bootstrap,
                "topics.partitions", Integer.toString(PARTITIONS),
                "topics.replication-factor", "3",
                "topics.min-insync-replicas", "2",
                "http.port", "0"));
        s.put("state.dir", tmp.resolve("state-" + role).toString());
        s.putAll(extra);
        return IchConfig.load(null, Map.of(), s);
    }

    /** The nodes start together: each waits for a controller quorum, which needs two of them. */
    private static void startAll(List<EmbeddedKafka> nodes) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(nodes.size());
        try {
            List<Future<EmbeddedKafka>> started = new ArrayList<>();
            for (EmbeddedKafka n : nodes) {
                started.add(pool.submit(n::start));
            }
            for (Future<EmbeddedKafka> f : started) {
                f.get(180, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertTopicIsReplicated(Admin admin) throws Exception {
        TopicDescription d = describe(admin);
        assertEquals(PARTITIONS, d.partitions().size());
        for (TopicPartitionInfo p : d.partitions()) {
            assertEquals(3, p.replicas().size(), "replicas of " + Topics.INSTANCES + "-" + p.partition());
        }
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, Topics.INSTANCES);
        Config c = admin.describeConfigs(List.of(topic)).all().get(30, TimeUnit.SECONDS).get(topic);
        assertEquals("2", c.get("min.insync.replicas").value());
        assertEquals("false", c.get("unclean.leader.election.enable").value());
    }

    private static TopicDescription describe(Admin admin) {
        try {
            return admin.describeTopics(List.of(Topics.INSTANCES)).allTopicNames().get(30, TimeUnit.SECONDS).get(Topics.INSTANCES);
        } catch (Exception e) {
            throw new IllegalStateException("cannot describe " + Topics.INSTANCES, e);
        }
    }

    /** C-STORE requests the ingest has answered, with any status (this JVM's count). */
    private static double ingestAnswers() {
        return io.micrometer.core.instrument.Metrics.globalRegistry.find("ich_ingest_instances_total").counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    /** n uniform 128x128 slices 5 mm apart that announce their count, so that a complete series completes at once. */
    private static List<byte[]> series(CtSeriesWriter.StudyIdentity id) {
        List<CtSeriesWriter.HuSlice> slices = new ArrayList<>();
        for (int i = 0; i < SLICES; i++) {
            short[] hu = new short[128 * 128];
            java.util.Arrays.fill(hu, (short) 30);
            slices.add(new CtSeriesWriter.HuSlice(hu));
        }
        return CtSeriesWriter.write(id, slices, 128, 128, 1.8, 5.0, true);
    }

    /** Each file's SOP Instance UID and whether storescu -v reported Success for it, from its output. */
    private static Map<String, Boolean> storeAnswers(String output, Map<Path, String> sopByFile) {
        Map<String, Boolean> answers = new HashMap<>();
        String current = null;
        for (String line : output.lines().toList()) {
            int file = line.indexOf("Sending file: ");
            if (file >= 0) {
                current = sopByFile.get(Path.of(line.substring(file + "Sending file: ".length()).strip()));
            } else if (line.contains("Received Store Response") && current != null) {
                answers.put(current, line.contains("(Success)"));
                current = null;
            }
        }
        return answers;
    }

    private static void awaitTrue(BooleanSupplier condition, Duration timeout, Duration poll, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within " + timeout);
            }
            Thread.sleep(poll.toMillis());
        }
    }
}
