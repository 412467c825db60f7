package org.ichtriage.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ichtriage.kafka.EmbeddedKafka;

/** Starts `ich-triage run` as its own JVM, as a user would, and probes it over HTTP. */
public class RunCommandIT {
    @TempDir
    Path tmp;

    /** The model every test worker runs: the tiny test graph with the real interface (fast, not accurate). */
    public static final String TEST_MODEL = Path.of("target/test-classes/models/test-tiny.onnx").toAbsolutePath().toString();

    /**
     * The class path goes through an @argfile: ONNX Runtime 1.29 crashes at start-up when the JVM's
     * command line is longer than about 4000 characters (docs/decisions/postprocessing.md).
     */
    public static List<String> javaCommand(Path dir) throws java.io.IOException {
        Path argFile = dir.resolve("java.args");
        Files.writeString(argFile, "-cp \"" + System.getProperty("java.class.path").replace("\\", "\\\\") + "\"\n");
        return new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "@" + argFile, Main.class.getName()));
    }

    static Process launch(Path dir, String... args) throws Exception {
        List<String> cmd = javaCommand(dir);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile());
        pb.environment().remove("KAFKA_BOOTSTRAP_SERVERS");
        return pb.start();
    }

    @Test
    void runBecomesReadyOnEmbeddedKafkaAndServesMetrics() throws Exception {
        int http = EmbeddedKafka.freePort("127.0.0.1");
        int kafka = EmbeddedKafka.freePort("127.0.0.1");
        Process p = launch(tmp, "run", "--state-dir", tmp.resolve("state").toString(), "--http-port", String.valueOf(http),
                "--dicom-port", "0", "--set", "kafka.embedded.port=" + kafka, "--set", "model.path=" + TEST_MODEL);
        try {
            HttpClient client = HttpClient.newHttpClient();
            long deadline = System.currentTimeMillis() + 60_000;
            int status = -1;
            String body = "";
            while (System.currentTimeMillis() < deadline && status != 200) {
                assertTrue(p.isAlive(), () -> "process died: " + log());
                try {
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/health/ready")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    status = r.statusCode();
                    body = r.body();
                } catch (java.io.IOException notYet) {
                    Thread.sleep(200);
                }
                if (status != 200) {
                    Thread.sleep(200);
                }
            }
            assertEquals(200, status, () -> "never ready: " + log());
            assertTrue(body.contains("\"READY\""), body);
            assertTrue(body.contains("\"inference_provider\":\"CPU\""), "provider actually used is shown: " + body);
            assertTrue(body.matches("(?s).*\"model_sha256\":\"[0-9a-f]{64}\".*"), body);
            HttpResponse<String> metrics = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("jvm_memory_used_bytes"), "Prometheus text format");
            assertTrue(Files.exists(tmp.resolve("state/kafka/meta.properties")), "broker data under the state folder");
        } finally {
            p.destroy();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stops on SIGTERM");
        }
    }

    private String log() {
        try {
            return Files.readString(tmp.resolve("out.log"));
        } catch (Exception e) {
            return "(no log)";
        }
    }

    @Test
    void badSettingIsOneLineWithoutStackTrace() throws Exception {
        Process p = launch(tmp, "run", "--set", "dicom.port=99999");
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue());
        List<String> lines = Files.readAllLines(tmp.resolve("out.log"), StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), lines::toString);
        assertTrue(lines.get(0).startsWith("ich-triage: dicom.port:"), lines.get(0));
        assertFalse(lines.get(0).contains("Exception"), lines.get(0));
    }

    @Test
    void configPrintsEffectiveValuesWithSecretsMasked() throws Exception {
        List<String> cmd = javaCommand(tmp);
        cmd.addAll(List.of("config", "--set", "http.port=9191"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(new File(tmp.toFile(), "cfg.log"));
        pb.environment().put("ICH_KAFKA_SASL_JAAS_CONFIG", "org.Example required password=\"hunter2\";");
        Process p = pb.start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String out = Files.readString(tmp.resolve("cfg.log"));
        assertEquals(0, p.exitValue(), out);
        assertFalse(out.contains("hunter2"), "secret printed: " + out);
        assertTrue(out.matches("(?s).*kafka\\.sasl\\.jaas-config\\s+= \\*\\*\\*\\*.*environment.*"), out);
        assertTrue(out.matches("(?s).*http\\.port\\s+= 9191\\s+# command line.*"), out);
    }
}
