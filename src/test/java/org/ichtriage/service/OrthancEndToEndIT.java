package org.ichtriage.service;

import org.ichtriage.Topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.ichtriage.config.IchConfig;
import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.DicomObject;
import org.ichtriage.dicom.codec.DicomReader;
import org.ichtriage.dicom.codec.Part10File;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.phantom.CtSeriesWriter;
import org.ichtriage.phantom.HeadPhantom;
import org.ichtriage.phantom.PhantomSpec;
import org.ichtriage.events.EventJson;
import org.ichtriage.events.EventSchemas;
import org.ichtriage.events.ForwardingStatus;
import org.ichtriage.events.ResultEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.ichtriage.kafka.EmbeddedKafka;

/**
 * Issue 6 end to end with a real PACS: Orthanc holds a phantom CT study, sends it to a running
 * ich-triage by C-STORE, and receives back, through the forwarder, the SEG and the key images in
 * the same study, with the SEG referencing instances that Orthanc holds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrthancEndToEndIT {
    static final Path ORTHANC = Path.of("/usr/sbin/Orthanc");
    static final Path SHIPPED_MODEL = Path.of("models/slexnet-ich.onnx");
    static final Path TINY_MODEL = Path.of("target/test-classes/models/test-tiny.onnx");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    private Process orthanc;
    private String orthancUrl;
    private int orthancDicomPort;
    private IchTriageService service;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build(); // Orthanc's HTTP server drops requests that offer an h2c upgrade

    @BeforeAll
    void start() throws Exception {
        assumeTrue(Files.isExecutable(ORTHANC), "Orthanc is not installed at " + ORTHANC + " (apt-get install orthanc)");
        Path model = Files.exists(SHIPPED_MODEL) ? SHIPPED_MODEL : TINY_MODEL;
        assertTrue(Files.exists(model), "no model at " + SHIPPED_MODEL + " nor " + TINY_MODEL);
        int ourDicomPort = EmbeddedKafka.freePort("127.0.0.1");
        orthancDicomPort = EmbeddedKafka.freePort("127.0.0.1");
        int orthancHttpPort = EmbeddedKafka.freePort("127.0.0.1");

        IchConfig config = IchConfig.load(null, Map.of(), Map.of(
                "state.dir", tmp.resolve("state").toString(),
                "kafka.embedded.port", "0",
                "http.port", "0",
                "dicom.port", Integer.toString(ourDicomPort),
                "pipeline.completion-gap-ms", "4000", // well above any pause inside one storescu run on a loaded machine
                "model.path", model.toString(),
                "forward.destinations", "ORTHANC@127.0.0.1:" + orthancDicomPort,
                "forward.backoff-ms", "500"));
        service = new IchTriageService(config).start();

        Map<String, Object> cfg = Map.of(
                "Name", "ich-triage-it",
                "StorageDirectory", tmp.resolve("orthanc-storage").toString(),
                "IndexDirectory", tmp.resolve("orthanc-index").toString(),
                "HttpPort", orthancHttpPort,
                "DicomPort", orthancDicomPort,
                "DicomAet", "ORTHANC",
                "RemoteAccessAllowed", false,
                "AuthenticationEnabled", false,
                "DicomModalities", Map.of("ichtriage", List.of("ICHTRIAGE", "127.0.0.1", ourDicomPort)));
        Path cfgFile = tmp.resolve("orthanc.json");
        Files.writeString(cfgFile, JSON.writeValueAsString(cfg));
        orthanc = new ProcessBuilder(ORTHANC.toString(), cfgFile.toString()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("orthanc.log").toFile()).start();
        orthancUrl = "http://127.0.0.1:" + orthancHttpPort;
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            assertTrue(orthanc.isAlive(), "Orthanc exited: " + Files.readString(tmp.resolve("orthanc.log")));
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(orthancUrl + "/system")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    break;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            assertTrue(System.currentTimeMillis() < deadline, "Orthanc did not answer within 30 s");
            Thread.sleep(100);
        }
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (orthanc != null) {
            // Stopped by its own process id: other Orthancs on the machine are not ours to stop.
            orthanc.destroy();
            if (!orthanc.waitFor(10, TimeUnit.SECONDS)) {
                orthanc.destroyForcibly();
            }
        }
        if (service != null) {
            service.close();
        }
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(orthancUrl + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), "GET " + path + ": " + new String(r.body(), StandardCharsets.UTF_8));
        return JSON.readTree(r.body());
    }

    private byte[] getBytes(String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(orthancUrl + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), "GET " + path);
        return r.body();
    }

    private JsonNode post(String path, byte[] body, Duration timeout) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(orthancUrl + path)).timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), "POST " + path + ": " + new String(r.body(), StandardCharsets.UTF_8));
        return JSON.readTree(r.body());
    }

    private KafkaConsumer<String, byte[]> consumer(String topic) {
        Properties p = service.kafka().clientProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "orthanc-it-" + topic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }

    /** The Orthanc series of this study, by Modality, once all of {@code modalities} are there. */
    private Map<String, JsonNode> awaitSeries(String studyId, Set<String> modalities, Duration timeout) throws Exception {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (true) {
            Map<String, JsonNode> byModality = new java.util.HashMap<>();
            for (JsonNode s : get("/studies/" + studyId + "/series")) {
                byModality.put(s.path("MainDicomTags").path("Modality").asText(), s);
            }
            if (byModality.keySet().containsAll(modalities)) {
                return byModality;
            }
            assertTrue(System.currentTimeMillis() < deadline,
                    "series with modalities " + modalities + " not in study " + studyId + " within " + timeout + "; has " + byModality.keySet());
            Thread.sleep(250);
        }
    }

    @Test
    void orthancSendsAStudyAndGetsBackSegAndKeyImagesReferencingItsInstances() throws Exception {
        // 1. A phantom CT study into Orthanc over REST.
        var id = CtSeriesWriter.StudyIdentity.random("IT-ORTHANC");
        List<byte[]> ct = HeadPhantom.generate(PhantomSpec.withHemorrhage(11)).toDicom(id, false);
        List<String> instanceIds = new ArrayList<>();
        String studyId = null;
        for (byte[] instance : ct) {
            JsonNode r = post("/instances", instance, Duration.ofSeconds(30));
            instanceIds.add(r.path("ID").asText());
            studyId = r.path("ParentStudy").asText();
        }
        assertEquals(ct.size(), get("/studies/" + studyId + "/instances").size());
        String ready = awaitReady();
        assertFalse(ready.contains("forwarder"), "the forwarder's readiness check passes: " + ready);

        // 2. Orthanc sends it to ich-triage by C-STORE.
        try (KafkaConsumer<String, byte[]> results = consumer(Topics.RESULTS);
             KafkaConsumer<String, byte[]> forwarding = consumer(Topics.FORWARDING)) {
            post("/modalities/ichtriage/store", JSON.writeValueAsBytes(instanceIds), Duration.ofSeconds(120));

            // 3. The result event on ich.results.v1.
            ResultEvent event = null;
            long deadline = System.currentTimeMillis() + 180_000;
            while (event == null) {
                assertTrue(System.currentTimeMillis() < deadline, "no result event within 180 s");
                for (ConsumerRecord<String, byte[]> r : results.poll(Duration.ofMillis(200))) {
                    if (id.seriesInstanceUid().equals(r.key())) {
                        String json = new String(r.value(), StandardCharsets.UTF_8);
                        assertEquals(List.of(), EventSchemas.resultViolations(json), json);
                        event = EventJson.fromBytes(r.value(), ResultEvent.class);
                    }
                }
            }
            assertFalse(event.seg().empty(), "the phantom has a hemorrhage, so a SEG is written");
            assertFalse(event.keyImageSopInstanceUids().isEmpty(), "key images are written");
            assertEquals("PENDING", event.forwarding().status());
            assertEquals(List.of("ORTHANC@127.0.0.1:" + orthancDicomPort), event.forwarding().destinations());

            // 4. SEG and key images arrived in Orthanc, in the same study.
            Map<String, JsonNode> series = awaitSeries(studyId, Set.of("CT", "SEG", "OT"), Duration.ofSeconds(120));
            JsonNode segSeries = series.get("SEG");
            assertEquals(event.seg().seriesInstanceUid(), segSeries.path("MainDicomTags").path("SeriesInstanceUID").asText());
            Set<String> keyImagesInOrthanc = new HashSet<>();
            long kiDeadline = System.currentTimeMillis() + 60_000;
            while (keyImagesInOrthanc.size() < event.keyImageSopInstanceUids().size() && System.currentTimeMillis() < kiDeadline) {
                keyImagesInOrthanc.clear();
                for (JsonNode inst : get("/series/" + series.get("OT").path("ID").asText() + "/instances")) {
                    keyImagesInOrthanc.add(inst.path("MainDicomTags").path("SOPInstanceUID").asText());
                }
                Thread.sleep(250);
            }
            assertEquals(Set.copyOf(event.keyImageSopInstanceUids()), keyImagesInOrthanc);

            // 5. The SEG, read back from Orthanc with our codec, references instances Orthanc holds.
            Set<String> ctInOrthanc = new HashSet<>();
            for (JsonNode inst : get("/series/" + series.get("CT").path("ID").asText() + "/instances")) {
                ctInOrthanc.add(inst.path("MainDicomTags").path("SOPInstanceUID").asText());
            }
            JsonNode segInstances = get("/series/" + segSeries.path("ID").asText()).path("Instances");
            assertEquals(1, segInstances.size());
            Part10File seg = DicomReader.readPart10(getBytes("/instances/" + segInstances.get(0).asText() + "/file"),
                    DicomLimits.DEFAULT);
            assertEquals(event.seg().sopInstanceUid(), seg.dataset().getString(Tag.SOPInstanceUID));
            assertEquals(id.studyInstanceUid(), seg.dataset().getString(Tag.StudyInstanceUID));
            Set<String> referenced = new HashSet<>();
            for (DicomObject rs : seg.dataset().getSequence(Tag.ReferencedSeriesSequence)) {
                for (DicomObject ri : rs.getSequence(Tag.ReferencedInstanceSequence)) {
                    referenced.add(ri.getString(Tag.ReferencedSOPInstanceUID));
                }
            }
            Set<String> frameSources = new HashSet<>();
            for (DicomObject frame : seg.dataset().getSequence(0x52009230)) { // PerFrameFunctionalGroupsSequence
                for (DicomObject der : frame.getSequence(Tag.DerivationImageSequence)) {
                    for (DicomObject src : der.getSequence(Tag.SourceImageSequence)) {
                        frameSources.add(src.getString(Tag.ReferencedSOPInstanceUID));
                    }
                }
            }
            assertEquals(event.seg().frames(), seg.dataset().getSequence(0x52009230).size());
            assertFalse(frameSources.isEmpty(), "the SEG frames name their source slices");
            assertTrue(ctInOrthanc.containsAll(referenced), "referenced but not in Orthanc: " + diff(referenced, ctInOrthanc));
            assertTrue(ctInOrthanc.containsAll(frameSources), "frame sources not in Orthanc: " + diff(frameSources, ctInOrthanc));
            assertEquals(ct.size(), referenced.size(), "ReferencedSeriesSequence lists every source instance");

            // The forwarder reported each object as SENT to Orthanc.
            Set<String> sent = new HashSet<>();
            long fwDeadline = System.currentTimeMillis() + 30_000;
            while (sent.size() < 1 + event.keyImageSopInstanceUids().size() && System.currentTimeMillis() < fwDeadline) {
                for (ConsumerRecord<String, byte[]> r : forwarding.poll(Duration.ofMillis(200))) {
                    String json = new String(r.value(), StandardCharsets.UTF_8);
                    assertEquals(List.of(), EventSchemas.forwardingViolations(json), json);
                    ForwardingStatus s = EventJson.fromBytes(r.value(), ForwardingStatus.class);
                    assertEquals(ForwardingStatus.Status.SENT, s.status(), json);
                    assertEquals(event.eventId(), s.eventId());
                    sent.add(s.sopInstanceUid());
                }
            }
            Set<String> expected = new HashSet<>(event.keyImageSopInstanceUids());
            expected.add(event.seg().sopInstanceUid());
            assertEquals(expected, sent);
            assertTrue(service.registry().scrape().contains("ich_forward_sent_total{destination=\"ORTHANC@127.0.0.1:"
                    + orthancDicomPort + "\"} " + (double) expected.size()), "sent counter");
        }
    }

    /** The service's /health/ready body once it answers 200 (the forwarder's check is one of those it waits for). */
    private String awaitReady() throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + service.health().port() + "/health/ready");
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                return r.body();
            }
            assertTrue(System.currentTimeMillis() < deadline, "not ready within 60 s: " + r.body());
            Thread.sleep(250);
        }
    }

    private static Set<String> diff(Set<String> a, Set<String> b) {
        Set<String> d = new HashSet<>(a);
        d.removeAll(b);
        return d;
    }
}
