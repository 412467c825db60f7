package org.ichtriage.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.ichtriage.Topics;
import org.ichtriage.alerts.webhook.WebhookSignature;
import org.ichtriage.kafka.EmbeddedKafka;
import org.ichtriage.testing.EmbeddedKafkaExtension;
import org.ichtriage.testing.Keystores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * MLLP over TLS and an HTTPS webhook, trusted the documented way: `ich-triage run` in its own JVM with
 * -Djavax.net.ssl.trustStore holding the peers' self-signed certificate (for 127.0.0.1), which no
 * default trust store has. The peers speak TLS only, so a delivery proves the handshake and the
 * host-name check passed.
 */
class TlsAlertsIT {
    static final String SECRET = "tls-webhook-secret-0123456789";

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir
    Path tmp;

    @Test
    void mllpOverTlsAndHttpsWebhookTrustTheJvmTrustStore() throws Exception {
        Path peer = Keystores.keyPair(tmp, "peer", "CN=127.0.0.1", "SAN=ip:127.0.0.1");
        Path trust = Keystores.trusting(tmp, peer, "peer");
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(Keystores.keyManagers(peer), null, null);

        int mllpPort = EmbeddedKafka.freePort("127.0.0.1");
        int httpPort = EmbeddedKafka.freePort("127.0.0.1");
        try (MllpListener mllp = MllpListener.acceptingTls(mllpPort, tls);
             HttpReceiver hook = new HttpReceiver(tls)) {
            Path argFile = tmp.resolve("java.args");
            Files.writeString(argFile, "-cp \"" + System.getProperty("java.class.path").replace("\\", "\\\\") + "\"\n");
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                    "-Djavax.net.ssl.trustStore=" + trust, "-Djavax.net.ssl.trustStorePassword=" + Keystores.PASSWORD,
                    "-Djavax.net.ssl.trustStoreType=PKCS12", "@" + argFile, "org.ichtriage.cli.Main", "run",
                    "--role", "alerts-hl7", "--bootstrap-servers", KAFKA.bootstrapServers(), "--http-port", String.valueOf(httpPort),
                    "--state-dir", tmp.resolve("state").toString(),
                    "--set", "alerts.hl7.destinations=127.0.0.1:" + mllpPort, "--set", "alerts.hl7.tls=true",
                    "--set", "alerts.hl7.min-category=negative", "--set", "alerts.backoff-ms=200"));
            List<String> hookCmd = new ArrayList<>(cmd);
            int hookHttpPort = EmbeddedKafka.freePort("127.0.0.1");
            hookCmd.set(hookCmd.indexOf("alerts-hl7"), "alerts-webhook");
            hookCmd.set(hookCmd.indexOf(String.valueOf(httpPort)), String.valueOf(hookHttpPort));
            hookCmd.set(hookCmd.indexOf(tmp.resolve("state").toString()), tmp.resolve("state-hook").toString());
            hookCmd.addAll(List.of("--set", "alerts.webhook.urls=" + hook.url("/hook"), "--set", "alerts.webhook.secret=" + SECRET,
                    "--set", "alerts.webhook.min-category=negative"));
            Process hl7 = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("hl7.log").toFile()).start();
            Process web = new ProcessBuilder(hookCmd).redirectErrorStream(true).redirectOutput(tmp.resolve("hook.log").toFile()).start();
            try {
                awaitReady(hl7, httpPort, "hl7.log");
                awaitReady(web, hookHttpPort, "hook.log");
                ObjectNode event = TestEvents.event("1.2.3.700", 1, true, false, 9.75);
                KAFKA.producer().send(new ProducerRecord<>(Topics.RESULTS, "1.2.3.700", TestEvents.bytes(event))).get(30, TimeUnit.SECONDS);
                String id = event.get("event_id").asText();
                AlertDeliveryIT.await("the ORU over TLS", Duration.ofSeconds(90), () -> !mllp.received.isEmpty());
                assertEquals(id, mllp.received.get(0).getMSH().getMessageControlID().getValue());
                AlertDeliveryIT.await("the HTTPS webhook", Duration.ofSeconds(90), () -> !hook.requests.isEmpty());
                HttpReceiver.Request r = hook.requests.get(0);
                assertEquals(id, r.header("X-ICH-Event-Id"));
                assertNull(WebhookSignature.verify(SECRET.getBytes(StandardCharsets.UTF_8), r.header(WebhookSignature.HEADER), r.body(),
                        r.at().getEpochSecond(), 300));
            } finally {
                hl7.destroy();
                web.destroy();
                hl7.waitFor(30, TimeUnit.SECONDS);
                web.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private void awaitReady(Process p, int port, String log) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + 90_000;
        while (System.currentTimeMillis() < deadline) {
            assertTrue(p.isAlive(), () -> "process died: " + read(log));
            try {
                if (client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(300);
        }
        throw new AssertionError("never ready: " + read(log));
    }

    private String read(String log) {
        try {
            return Files.readString(tmp.resolve(log));
        } catch (Exception e) {
            return "(no log)";
        }
    }
}
