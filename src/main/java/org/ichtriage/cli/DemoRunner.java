package org.ichtriage.cli;

import org.ichtriage.Topics;
import org.ichtriage.events.OutputHeaders;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.ichtriage.phantom.CtSeriesWriter;
import org.ichtriage.phantom.HeadPhantom;
import org.ichtriage.phantom.Phantom;
import org.ichtriage.phantom.PhantomSpec;
import org.ichtriage.events.EventJson;
import org.ichtriage.events.ResultEvent;
import org.ichtriage.UserError;
import org.ichtriage.service.IchTriageService;

/**
 * `ich-triage run --demo`: generates a synthetic head CT with a hemorrhage of known volume, sends it
 * through the service's own DICOM listener by C-STORE, waits for the result event, and writes the
 * SEG, the key images and their PNGs to a local folder. The whole product path, in one command.
 */
final class DemoRunner {
    private final IchTriageService service;
    private final Path outDir;
    private final PrintStream out;

    DemoRunner(IchTriageService service, Path outDir, PrintStream out) {
        this.service = service;
        this.outDir = outDir;
        this.out = out;
    }

    ResultEvent run(long seed) throws IOException {
        Phantom phantom = HeadPhantom.generate(PhantomSpec.withHemorrhage(seed));
        var id = CtSeriesWriter.StudyIdentity.random("DEMO" + seed);
        Path input = Files.createDirectories(outDir.resolve("input"));
        List<Path> files = new ArrayList<>();
        List<byte[]> instances = phantom.toDicom(id, true);
        for (int i = 0; i < instances.size(); i++) {
            Path f = input.resolve(String.format("slice-%03d.dcm", i + 1));
            Files.write(f, instances.get(i));
            files.add(f);
        }
        out.printf("demo: synthetic head CT, %d slices, hemorrhage of %.1f mL (ground truth), written to %s%n",
                instances.size(), phantom.truthVolumeMl(), input);
        var dicom = service.config().dicom();
        long sentAt = System.currentTimeMillis();
        SendCommand.Summary sent = SendCommand.sendFiles(files, "127.0.0.1".equals(dicom.bindHost()) || "0.0.0.0".equals(dicom.bindHost())
                ? "127.0.0.1" : dicom.bindHost(), service.dicomPort(), dicom.aeTitle(), "DEMO");
        out.printf("demo: C-STORE to %s@127.0.0.1:%d: %d of %d stored%n", dicom.aeTitle(), service.dicomPort(), sent.stored(), files.size());
        if (sent.failed() > 0) {
            throw new UserError("the listener refused " + sent.failed() + " demo slices; see the log above");
        }
        ResultEvent event = awaitResult(id.seriesInstanceUid());
        out.printf("demo: result after %d ms:%n", System.currentTimeMillis() - sentAt);
        out.println(EventJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(event));
        Files.write(outDir.resolve("result.json"), EventJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(event));
        List<byte[]> keyImages = fetchDerived(event.eventId());
        List<Path> pngs = InspectCommand.writePngs(keyImages, outDir);
        out.printf("demo: measured %.1f mL (interval %.1f-%.1f) vs ground truth %.1f mL%n", event.volume().ml(),
                event.volume().intervalMl().low(), event.volume().intervalMl().high(), phantom.truthVolumeMl());
        out.printf("demo: wrote %s, %s and %d key images (%s)%n", outDir.resolve("result.json"),
                Files.exists(outDir.resolve("seg.dcm")) ? outDir.resolve("seg.dcm") : "no SEG (no hemorrhage found)",
                pngs.size(), pngs.isEmpty() ? "none" : pngs.get(0).getParent());
        return event;
    }

    private KafkaConsumer<String, byte[]> consumer(String topic) {
        Properties p = service.kafka().clientProperties();
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_MESSAGE_BYTES);
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        var parts = c.partitionsFor(topic).stream().map(i -> new org.apache.kafka.common.TopicPartition(topic, i.partition())).toList();
        c.assign(parts);
        c.seekToBeginning(parts);
        return c;
    }

    private ResultEvent awaitResult(String series) {
        long deadline = System.currentTimeMillis() + Duration.ofMinutes(3).toMillis();
        try (KafkaConsumer<String, byte[]> c = consumer(Topics.RESULTS)) {
            while (System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (series.equals(r.key())) {
                        return EventJson.fromBytes(r.value(), ResultEvent.class);
                    }
                }
            }
        }
        throw new UserError("no result for the demo series within 3 minutes; see the log above");
    }

    /** Writes seg.dcm and key-image-N.dcm of this event from ich.seg.v1; returns the key images. */
    private List<byte[]> fetchDerived(String eventId) throws IOException {
        List<byte[]> keyImages = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = consumer(Topics.SEG)) {
            long quietSince = System.currentTimeMillis();
            while (System.currentTimeMillis() - quietSince < 1500) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    quietSince = System.currentTimeMillis();
                    if (!eventId.equals(header(r, OutputHeaders.EVENT_ID_HEADER))) {
                        continue;
                    }
                    if ("key-image".equals(header(r, OutputHeaders.KIND_HEADER))) {
                        keyImages.add(r.value());
                        Files.write(outDir.resolve("key-image-" + keyImages.size() + ".dcm"), r.value());
                    } else {
                        Files.write(outDir.resolve("seg.dcm"), r.value());
                    }
                }
            }
        }
        return keyImages;
    }

    private static String header(ConsumerRecord<?, ?> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
