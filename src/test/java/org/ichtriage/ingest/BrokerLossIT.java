package org.ichtriage.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.ichtriage.kafka.EmbeddedKafka;
import org.ichtriage.dicom.codec.TransferSyntax;
import org.ichtriage.dicom.net.Dcmtk;
import org.ichtriage.dicom.net.DicomServer;
import org.ichtriage.dicom.net.ScpConfig;
import org.ichtriage.dicom.net.StoreStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ichtriage.phantom.SyntheticCtSeries;
import org.ichtriage.events.InstanceHeaders;

/**
 * The loss test: the broker stops while storescu sends 100 slices and comes back on the same
 * folder and port. Every slice answered Success must be on the topic afterwards; every other slice
 * must have been answered with a failure status (A700), which storescu saw.
 */
class BrokerLossIT {
    @TempDir
    Path tmp;

    @Test
    void acknowledgedSlicesSurviveABrokerOutage() throws Exception {
        assumeTrue(Dcmtk.available(), "dcmtk not installed");
        List<Path> files = SyntheticCtSeries.write(tmp.resolve("series"), 100, 64, TransferSyntax.EXPLICIT_VR_LE, 11);
        Path data = tmp.resolve("kafka");
        EmbeddedKafka kafka = new EmbeddedKafka(data, "127.0.0.1", 0).start();
        String bootstrap = kafka.bootstrapServers();
        int brokerPort = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
        KafkaSupport.createInstancesTopic(bootstrap, 1);
        Map<String, Integer> answered = new ConcurrentHashMap<>();
        try (KafkaInstanceSink sink = new KafkaInstanceSink(IngestConfig.defaults().withSendTimeout(Duration.ofMillis(1500)),
                KafkaSupport.client(bootstrap));
             DicomServer server = DicomServer.start(ScpConfig.defaults().withPort(0), req -> {
                 // pace the sender so the outage falls in the middle of the series
                 sleep(40);
                 StoreStatus st = sink.store(req);
                 answered.put(req.sopInstanceUid(), st.code());
                 return st;
             })) {
            CompletableFuture<Dcmtk.Result> sending = CompletableFuture.supplyAsync(() -> {
                try {
                    // --no-halt: keep sending after a refused slice, as a modality queue does
                    return Dcmtk.storescu(server.port(), "ICHTRIAGE", List.of("--no-halt"), files);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            while (successes(answered) < 20) {
                Thread.sleep(10);
            }
            kafka.close();
            Thread.sleep(5000);
            kafka = new EmbeddedKafka(data, "127.0.0.1", brokerPort).start();
            Dcmtk.Result r = sending.get(300, TimeUnit.SECONDS);

            assertEquals(100, answered.size(), "every slice got an answer");
            Set<String> ok = answered.entrySet().stream().filter(e -> e.getValue() == 0).map(Map.Entry::getKey)
                    .collect(Collectors.toSet());
            long failed = answered.values().stream().filter(c -> c != 0).count();
            assertTrue(failed > 0, "the outage produced no failure status; the test did not exercise it");
            assertTrue(answered.values().stream().allMatch(c -> c == 0 || c == StoreStatus.OUT_OF_RESOURCES), answered.toString());
            // storescu saw exactly these answers
            long storescuOk = r.output().lines().filter(l -> l.contains("Received Store Response (Success)")).count();
            long storescuFail = r.output().lines().filter(l -> l.contains("Received Store Response") && !l.contains("(Success)")).count();
            assertEquals(ok.size(), storescuOk, r.output());
            assertEquals(failed, storescuFail, r.output());

            List<ConsumerRecord<String, byte[]>> recs = KafkaSupport.readAll(kafka.bootstrapServers(),
                    IngestConfig.INSTANCES_TOPIC, ok.size(), Duration.ofSeconds(60));
            Set<String> onTopic = recs.stream().map(rec -> new String(rec.headers().lastHeader(InstanceHeaders.SOP_INSTANCE_UID).value(),
                    StandardCharsets.UTF_8)).collect(Collectors.toSet());
            Set<String> lost = ok.stream().filter(i -> !onTopic.contains(i)).collect(Collectors.toSet());
            assertTrue(lost.isEmpty(), lost.size() + " acknowledged slices missing from the topic");
            System.out.printf("loss test: %d Success, %d A700 during the outage, %d records on the topic%n", ok.size(), failed, recs.size());
        } finally {
            kafka.close();
        }
    }

    private static long successes(Map<String, Integer> m) {
        return m.values().stream().filter(c -> c == 0).count();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
