package org.ichtriage.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import javax.imageio.ImageIO;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.ichtriage.Topics;
import org.ichtriage.config.IchConfig;
import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.DicomReader;
import org.ichtriage.dicom.codec.Uids;
import org.ichtriage.dicom.net.Dcmtk;
import org.ichtriage.dicom.seg.SegmentationFrames;
import org.ichtriage.events.EventJson;
import org.ichtriage.events.OutputHeaders;
import org.ichtriage.events.ResultEvent;
import org.ichtriage.kafka.TopicReader;
import org.ichtriage.phantom.CtSeriesWriter;
import org.ichtriage.phantom.HeadPhantom;
import org.ichtriage.phantom.Phantom;
import org.ichtriage.phantom.PhantomSpec;
import org.ichtriage.service.IchTriageService;
import org.ichtriage.testing.SeriesFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The triage board in a real browser against a running service: a phantom with a known hemorrhage
 * goes in by C-STORE, and its row appears on an open worklist page without a reload; the study page
 * shows the slice with the SEG's outline exactly where the SEG has lesion; a second study of the
 * same patient puts two points on the volume chart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BoardIT {
    static final Path SHIPPED_MODEL = Path.of("models/slexnet-ich.onnx");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    private IchTriageService service;
    private ChromeDriver driver;
    private KafkaConsumer<String, byte[]> results;
    private String base;
    private final HttpClient http = HttpClient.newHttpClient();
    private CtSeriesWriter.StudyIdentity first;
    private ResultEvent firstEvent;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(Dcmtk.available(), "dcmtk storescu is not installed (make test installs it)");
        assumeTrue(Browser.available(), "Debian's chromium and chromium-driver are not installed (make test installs them)");
        IchConfig config = IchConfig.load(null, Map.of(), Map.of(
                "state.dir", tmp.resolve("state").toString(),
                "kafka.embedded.port", "0",
                "http.port", "0",
                "dicom.port", "0",
                "model.path", SHIPPED_MODEL.toString()));
        service = new IchTriageService(config).start();
        base = "http://127.0.0.1:" + service.health().port();
        Properties p = service.kafka().clientProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "board-it");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        results = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        results.subscribe(List.of(Topics.RESULTS));
        driver = Browser.start(Files.createDirectories(tmp.resolve("chromium")));
    }

    @AfterAll
    void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (results != null) {
            results.close();
        }
        if (service != null) {
            service.close();
        }
    }

    @Test
    @Order(1)
    void resultRowAppearsLiveOnAnOpenWorklist() throws Exception {
        driver.get(base + "/ui/");
        new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> d.findElement(By.id("status")).getText().contains("shown"));
        // a mark on the page's window object: it survives only if the page is never reloaded
        driver.executeScript("window.__boardItMark = 'still the same page';");

        Phantom phantom = HeadPhantom.generate(PhantomSpec.withHemorrhage(11));
        first = new CtSeriesWriter.StudyIdentity("BOARD-IT-1", "SECRETNAME^BOARDPATIENT", Uids.newUid(), Uids.newUid(), Uids.newUid(),
                "ACC" + (System.nanoTime() % 1_000_000), LocalDateTime.now().minusHours(6));
        firstEvent = sendAndAwait("first", phantom.toDicom(first, true), first.seriesInstanceUid());
        long resultSeenAt = System.currentTimeMillis();

        By row = By.cssSelector("tr[data-series='" + first.seriesInstanceUid() + "']");
        WebElement tr = new WebDriverWait(driver, Duration.ofSeconds(10), Duration.ofMillis(20)).until(d -> d.findElement(row));
        long rowLatencyMs = System.currentTimeMillis() - resultSeenAt;
        System.out.printf("board: row on the open worklist %d ms after the test's consumer saw the result event%n", rowLatencyMs);
        assertEquals("still the same page", driver.executeScript("return window.__boardItMark;"), "the row came without a reload");
        assertTrue(rowLatencyMs <= 1000, "row within 1 s of the event, took " + rowLatencyMs + " ms");

        String volume = tr.findElement(By.cssSelector("td.volume")).getText();
        assertTrue(volume.startsWith(String.format(java.util.Locale.ROOT, "%.1f", firstEvent.volume().ml())), volume + " vs event " + firstEvent.volume().ml());
        String flags = tr.findElement(By.cssSelector("td.flags")).getText();
        assertEquals(firstEvent.flags().ichDetected(), flags.contains("ICH"), flags);
        assertEquals(first.accessionNumber(), tr.findElement(By.cssSelector("td.accession")).getText());
        assertFalse(driver.getPageSource().contains("SECRETNAME"), "no patient name on the worklist with the setting off");
        Browser.screenshot(driver, "worklist");
    }

    @Test
    @Order(2)
    void studyPageDrawsTheSegOutlineWhereTheSegHasLesion() throws Exception {
        assertTrue(firstEvent != null && !firstEvent.seg().empty(), "the first study must have a SEG");
        driver.get(base + "/ui/");
        WebElement tr = new WebDriverWait(driver, Duration.ofSeconds(20))
                .until(d -> d.findElement(By.cssSelector("tr[data-series='" + first.seriesInstanceUid() + "']")));
        tr.click();
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
        wait.until(d -> d.getCurrentUrl().contains("/ui/study.html"));
        WebElement mark = wait.until(d -> d.findElement(By.cssSelector("#lesionbar button.lesion-mark")));
        mark.click();
        int index = Integer.parseInt(mark.getAttribute("data-index"));
        wait.until(d -> String.valueOf(index).equals(d.findElement(By.id("slice")).getAttribute("data-index"))
                && Boolean.TRUE.equals(driver.executeScript("const i = document.getElementById('slice'); return i.complete && i.naturalWidth > 0;")));
        assertEquals(firstEvent.volume().ml() >= 0 ? String.format(java.util.Locale.ROOT, "%.1f mL", firstEvent.volume().ml()) : "",
                driver.findElement(By.id("volume")).getText());
        assertFalse(driver.getPageSource().contains("SECRETNAME"), "no patient name on the study page with the setting off");
        Browser.screenshot(driver, "study");

        // the image the viewer shows, fetched again by its own URL, against the SEG read from ich.seg.v1
        String src = driver.findElement(By.id("slice")).getAttribute("src");
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(
                http.send(HttpRequest.newBuilder(URI.create(src)).build(), HttpResponse.BodyHandlers.ofByteArray()).body()));
        JsonNode detail = JSON.readTree(get("/api/series/" + first.seriesInstanceUid()));
        String sop = detail.get("slices").get(index).get("sop_instance_uid").asText();
        boolean[] mask = segOf(first.seriesInstanceUid()).maskFor(sop).orElseThrow(() -> new AssertionError("no SEG frame for slice " + index));
        int w = png.getWidth();
        int h = png.getHeight();
        int red = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean isRed = (png.getRGB(x, y) & 0xFFFFFF) == 0xFF0000;
                boolean edge = mask[y * w + x] && (x == 0 || y == 0 || x == w - 1 || y == h - 1 || !mask[y * w + x - 1]
                        || !mask[y * w + x + 1] || !mask[(y - 1) * w + x] || !mask[(y + 1) * w + x]);
                assertEquals(edge, isRed, "outline pixel (" + x + "," + y + ") must match the SEG's lesion edge");
                red += isRed ? 1 : 0;
            }
        }
        assertTrue(red > 0, "red outline pixels on a lesion slice");
    }

    @Test
    @Order(3)
    void secondStudyOfTheSamePatientGivesTwoPointsAndTheExpansionVerdict() throws Exception {
        Phantom phantom = HeadPhantom.generate(PhantomSpec.withHemorrhage(23));
        CtSeriesWriter.StudyIdentity second = new CtSeriesWriter.StudyIdentity(first.patientId(), first.patientName(), Uids.newUid(),
                Uids.newUid(), Uids.newUid(), "ACC" + (System.nanoTime() % 1_000_000), LocalDateTime.now());
        ResultEvent e = sendAndAwait("second", phantom.toDicom(second, true), second.seriesInstanceUid());
        driver.get(base + "/ui/study.html?series=" + second.seriesInstanceUid());
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
        wait.until(d -> !d.findElements(By.cssSelector("#volumeChart circle.point")).isEmpty());
        List<WebElement> points = driver.findElements(By.cssSelector("#volumeChart circle.point"));
        assertEquals(2, points.size(), "both studies of the patient key on the chart");
        List<Double> volumes = new ArrayList<>();
        points.forEach(pt -> volumes.add(Double.parseDouble(pt.getAttribute("data-volume"))));
        assertEquals(List.of(firstEvent.volume().ml(), e.volume().ml()), volumes, "oldest first, the events' volumes");
        String expansion = driver.findElement(By.id("expansion")).getText();
        assertTrue(e.expansion() != null, "the second study is compared with the first");
        assertTrue(expansion.startsWith("Hematoma expansion: " + e.expansion().hematomaExpansion()), expansion);
        Browser.screenshot(driver, "study-followup");
    }

    private String get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    private SegmentationFrames segOf(String series) throws Exception {
        try (TopicReader reader = new TopicReader(service.kafka())) {
            for (ConsumerRecord<String, byte[]> r : reader.readAll(Topics.SEG, r -> series.equals(r.key()))) {
                var kind = r.headers().lastHeader(OutputHeaders.KIND_HEADER);
                if (kind != null && "seg".equals(new String(kind.value(), StandardCharsets.UTF_8))) {
                    return SegmentationFrames.read(DicomReader.readPart10(r.value(), DicomLimits.DEFAULT).dataset());
                }
            }
        }
        throw new AssertionError("no SEG on " + Topics.SEG + " for " + series);
    }

    private ResultEvent sendAndAwait(String name, List<byte[]> instances, String series) throws Exception {
        Dcmtk.Result sent = Dcmtk.storescu(service.dicomPort(), "ICHTRIAGE", SeriesFiles.write(tmp.resolve(name), instances));
        assertEquals(0, sent.exitCode(), sent.output());
        long deadline = System.currentTimeMillis() + 180_000;
        while (System.currentTimeMillis() < deadline) {
            for (ConsumerRecord<String, byte[]> r : results.poll(Duration.ofMillis(20))) {
                if (series.equals(r.key())) {
                    return EventJson.fromBytes(r.value(), ResultEvent.class);
                }
            }
        }
        throw new AssertionError("no result for " + series);
    }
}
