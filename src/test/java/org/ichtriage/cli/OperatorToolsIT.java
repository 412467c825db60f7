package org.ichtriage.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.ichtriage.config.IchConfig;
import org.ichtriage.kafka.EmbeddedKafka;
import org.ichtriage.phantom.CtSeriesWriter;
import org.ichtriage.service.IchTriageService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The on-call tools against a running service (embedded broker, worker, shipped model): `complete`
 * closes a waiting series, a wrong Kafka address is one line within seconds, and every exported
 * metric explains itself in its HELP line.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorToolsIT {
    static final Path SHIPPED_MODEL = Path.of("models/slexnet-ich.onnx");

    @TempDir
    static Path tmp;
    private IchTriageService service;
    private String bootstrap;

    @BeforeAll
    void start() throws Exception {
        assertTrue(Files.exists(SHIPPED_MODEL), "the shipped model is part of the repository");
        Map<String, String> settings = new java.util.LinkedHashMap<>();
        settings.put("state.dir", tmp.resolve("state").toString());
        settings.put("kafka.embedded.port", "0");
        settings.put("http.port", "0");
        settings.put("dicom.port", "0");
        // a series waits for more instances for an hour: only `complete` can close it within the test
        settings.put("pipeline.completion-gap-ms", "3600000");
        settings.put("model.path", SHIPPED_MODEL.toString());
        // a forwarder and an alert output to closed ports, so that their metrics are exported too
        settings.put("forward.destinations", "PACS@127.0.0.1:" + EmbeddedKafka.freePort("127.0.0.1"));
        settings.put("forward.max-attempts", "1");
        settings.put("alerts.webhook.urls", "http://127.0.0.1:" + EmbeddedKafka.freePort("127.0.0.1") + "/hook");
        settings.put("alerts.webhook.secret", "operator-tools-it-webhook-key");
        settings.put("alerts.max-attempts", "1");
        IchConfig config = IchConfig.load(null, Map.of(), settings);
        service = new IchTriageService(config).start();
        bootstrap = service.kafka().bootstrapServers();
    }

    @AfterAll
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    private void sendSeries(CtSeriesWriter.StudyIdentity id, int slices) throws Exception {
        List<CtSeriesWriter.HuSlice> hu = new ArrayList<>();
        for (int i = 0; i < slices; i++) {
            short[] px = new short[64 * 64];
            java.util.Arrays.fill(px, (short) 30);
            hu.add(new CtSeriesWriter.HuSlice(px));
        }
        // by C-STORE to the service's listener, the way a modality sends
        Path dir = Files.createDirectories(tmp.resolve(id.seriesInstanceUid()));
        List<Path> files = new ArrayList<>();
        List<byte[]> instances = CtSeriesWriter.write(id, hu, 64, 64, 3.0, 5.0, false);
        for (int i = 0; i < instances.size(); i++) {
            files.add(Files.write(dir.resolve(i + ".dcm"), instances.get(i)));
        }
        SendCommand.Summary sent = SendCommand.sendFiles(files, "127.0.0.1", service.dicomPort(), "ICHTRIAGE", "OPS-IT");
        assertEquals(slices, sent.stored(), "instances stored by the service");
    }

    @Test
    @Order(1)
    void completeClosesAWaitingSeriesNow() throws Exception {
        var id = CtSeriesWriter.StudyIdentity.random("OPS-COMPLETE");
        sendSeries(id, 8);
        Thread.sleep(2000); // let the worker take the instances in; without `complete` it would wait an hour
        long t0 = System.nanoTime();
        CliHelpTest.Run r = CliHelpTest.run("complete", id.seriesInstanceUid(), "--bootstrap-servers", bootstrap, "--wait", "180");
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        assertEquals(0, r.rc(), r.out() + r.err());
        assertTrue(r.out().startsWith("force-complete written for series " + id.seriesInstanceUid() + " (ich.instances.v1-"), r.out());
        String outcome = r.out().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        assertTrue(outcome.contains("\"topic\":\"ich.results.v1\""), outcome);
        assertTrue(outcome.contains("\"completion_reason\":\"FORCED\""), outcome);
        assertTrue(outcome.contains("\"instance_count\":8"), outcome);
        assertTrue(seconds < 180, "closed in " + seconds + " s");
        String metrics = service.registry().scrape();
        assertTrue(metrics.contains("ich_results_total{completion_reason=\"FORCED\""), "results counted by completion reason");
    }

    @Test
    @Order(2)
    void completeOfATooShortSeriesPrintsItsDeadLetter() throws Exception {
        var id = CtSeriesWriter.StudyIdentity.random("OPS-SHORT");
        sendSeries(id, 2);
        Thread.sleep(2000);
        CliHelpTest.Run r = CliHelpTest.run("complete", id.seriesInstanceUid(), "--bootstrap-servers", bootstrap, "--wait", "120");
        assertEquals(0, r.rc(), r.out() + r.err());
        String outcome = r.out().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        assertTrue(outcome.contains("\"topic\":\"ich.deadletter.v1\"") && outcome.contains("TOO_FEW_SLICES"), outcome);
    }

    @Test
    void completeOfAnUnknownSeriesSaysSoAndExitsOne() {
        CliHelpTest.Run r = CliHelpTest.run("complete", "1.2.3.999999", "--bootstrap-servers", bootstrap, "--wait", "5");
        assertEquals(1, r.rc(), r.out() + r.err());
        assertTrue(r.err().contains("no result or dead letter within 5 s for 1.2.3.999999"), r.err());
        CliHelpTest.Run bad = CliHelpTest.run("complete", "not-a-uid", "--bootstrap-servers", bootstrap);
        assertEquals(2, bad.rc());
        assertTrue(bad.err().startsWith("ich-triage: 'not-a-uid' is not a SeriesInstanceUID"), bad.err());
    }

    @Test
    void aWrongKafkaPortIsOneLineWithinSeconds() {
        String nobody = "127.0.0.1:" + EmbeddedKafka.freePort("127.0.0.1");
        for (String command : List.of("events", "explain", "complete")) {
            List<String> args = new ArrayList<>(List.of(command));
            if (!command.equals("events")) {
                args.add("1.2.3.4");
            }
            args.addAll(List.of("--bootstrap-servers", nobody));
            long t0 = System.nanoTime();
            CliHelpTest.Run r = CliHelpTest.run(args.toArray(String[]::new));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(2, r.rc(), command + ": " + r.err());
            // the service in this JVM logs to the same stderr; the command's own lines are what a user sees
            List<String> own = r.err().lines().filter(l -> !l.matches("^\\d{4}-\\d\\d-\\d\\dT.*")).toList();
            assertEquals(1, own.size(), command + ": " + r.err());
            assertTrue(own.get(0).startsWith("ich-triage: no Kafka broker answered at " + nobody), r.err());
            assertTrue(ms < 8000, command + " took " + ms + " ms to say so");
        }
    }

    /** After a series went through, so the stage histograms and result counters exist. */
    @Test
    @Order(3)
    void everyExportedMetricHasAHelpLine() {
        String scrape = service.registry().scrape();
        List<String> help = scrape.lines().filter(l -> l.startsWith("# HELP ")).toList();
        assertTrue(help.size() > 10, scrape);
        List<String> empty = new ArrayList<>();
        for (String line : help) {
            String[] parts = line.split(" ", 4); // "#", "HELP", name, text
            if (parts.length < 4 || parts[3].isBlank()) {
                empty.add(parts[2]);
            }
        }
        assertEquals(List.of(), empty, "metrics without help text");
        for (String ours : List.of("ich_model_loaded", "ich_pipeline_open_series", "ich_stage_seconds", "ich_results_total")) {
            assertTrue(help.stream().anyMatch(l -> l.startsWith("# HELP " + ours + " ")), ours + " exported with help");
        }
        assertFalse(scrape.contains("# HELP ich_model_loaded \n"), scrape);
    }

    /**
     * deploy/grafana/ich-triage-dashboard.json parses, every panel has a query, and every metric a
     * query names is in this service's /metrics, after a result and a dead letter went through.
     */
    @Test
    @Order(4)
    void theGrafanaDashboardQueriesOnlyExportedMetrics() throws Exception {
        com.fasterxml.jackson.databind.JsonNode dashboard = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Path.of("deploy/grafana/ich-triage-dashboard.json").toFile());
        String scrape = service.registry().scrape();
        java.util.regex.Pattern metric = java.util.regex.Pattern.compile("\\b((?:ich|jvm)_[a-z0-9_]+)\\b");
        java.util.Set<String> named = new java.util.TreeSet<>();
        int queries = 0;
        for (com.fasterxml.jackson.databind.JsonNode panel : dashboard.get("panels")) {
            assertFalse(panel.path("title").asText().isBlank(), panel.toString());
            assertTrue(panel.path("targets").size() > 0, "panel without a query: " + panel.path("title"));
            for (com.fasterxml.jackson.databind.JsonNode target : panel.get("targets")) {
                java.util.regex.Matcher m = metric.matcher(target.path("expr").asText());
                boolean any = false;
                while (m.find()) {
                    named.add(m.group(1));
                    any = true;
                }
                assertTrue(any, "query names no metric: " + target);
                queries++;
            }
        }
        assertTrue(queries >= 10, "queries: " + queries);
        List<String> missing = named.stream()
                .filter(n -> !java.util.regex.Pattern.compile("(?m)^" + n + "[{ ]").matcher(scrape).find()).toList();
        assertEquals(List.of(), missing, "dashboard metrics missing from /metrics (named: " + named + ")");
        for (String needed : List.of("ich_ingest_instances_total", "ich_pipeline_open_series", "ich_results_total", "ich_stage_seconds_bucket",
                "ich_deadletter_total", "ich_forward_backlog", "ich_forward_failures_total", "ich_model_loaded")) {
            assertTrue(named.contains(needed), "the dashboard shows " + needed);
        }
    }
}
