package org.ichtriage.alerts.webhook;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.ichtriage.alerts.AlertEvent;
import org.ichtriage.alerts.Channel;
import org.ichtriage.alerts.WebhookBody;
import org.ichtriage.alerts.Destinations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * POSTs each selected result to every configured URL, signed with {@link WebhookSignature}. The body is
 * the result event as on the topic (with triage_category added when the event predates it), or a
 * compact alert. HTTPS trusts the JVM's default trust store (javax.net.ssl.trustStore).
 */
public final class WebhookChannel implements Channel {
    public static final String EVENT_ID_HEADER = "X-ICH-Event-Id";
    public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
    public static final String COMPACT_SCHEMA = "ich-alert.v1";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final List<URI> urls;
    private final List<String> names;
    private final byte[] secret;
    private final WebhookBody body;
    private final String boardUrl;
    private final Clock clock;
    private final HttpClient http;

    public WebhookChannel(List<URI> urls, String secret, WebhookBody body, String boardUrl, Clock clock) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("a webhook needs a secret to sign with");
        }
        this.urls = List.copyOf(urls);
        List<String> n = new ArrayList<>();
        for (int i = 0; i < urls.size(); i++) {
            n.add(Destinations.display(urls.get(i), i));
        }
        this.names = List.copyOf(n);
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.body = body;
        this.boardUrl = boardUrl == null || boardUrl.isEmpty() ? null : boardUrl;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public String name() {
        return "webhook";
    }

    @Override
    public List<String> destinations() {
        return names;
    }

    @Override
    public Result send(int destination, AlertEvent event, byte[] eventJson) {
        byte[] payload;
        try {
            payload = body(event, eventJson);
        } catch (IOException e) {
            return Result.refused("body not built: " + e.getMessage());
        }
        long t = clock.instant().getEpochSecond();
        HttpRequest req = HttpRequest.newBuilder(urls.get(destination))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .header(WebhookSignature.HEADER, WebhookSignature.sign(secret, t, payload))
                .header(EVENT_ID_HEADER, event.eventId())
                .header(IDEMPOTENCY_HEADER, event.eventId())
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload))
                .build();
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 == 2) {
                return Result.delivered("HTTP " + r.statusCode());
            }
            return Result.refused("HTTP " + r.statusCode() + excerpt(r.body()));
        } catch (IOException e) {
            return Result.unreachable("no answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.unreachable("interrupted");
        }
    }

    byte[] body(AlertEvent e, byte[] eventJson) throws IOException {
        if (body == WebhookBody.EVENT) {
            JsonNode n = JSON.readTree(eventJson);
            if (n instanceof ObjectNode o && !o.has("triage_category")) {
                o.put("triage_category", e.category().wire());
                return JSON.writeValueAsBytes(o);
            }
            return eventJson;
        }
        return JSON.writeValueAsBytes(compact(e, boardUrl));
    }

    /** The compact alert: no patient data at all, only what a chat or paging message shows. */
    public static ObjectNode compact(AlertEvent e, String boardUrl) {
        ObjectNode o = JSON.createObjectNode();
        o.put("schema", COMPACT_SCHEMA);
        o.put("event_id", e.eventId());
        o.put("revision", e.revision());
        o.put("created_at", e.createdAt());
        o.put("triage_category", e.category().wire());
        o.put("study_instance_uid", e.studyInstanceUid());
        o.put("series_instance_uid", e.seriesInstanceUid());
        o.put("accession_number", e.accessionNumber());
        if (!Double.isNaN(e.volumeMl())) {
            o.put("volume_ml", e.volumeMl());
        }
        if (!Double.isNaN(e.intervalLowMl())) {
            o.putObject("interval_ml").put("low", e.intervalLowMl()).put("high", e.intervalHighMl());
        }
        o.put("needs_review", e.needsReview());
        if (e.expansion() != null) {
            o.put("hematoma_expansion", e.expansion().verdict());
        }
        if (boardUrl != null) {
            o.put("link", Destinations.studyLink(boardUrl, e.studyInstanceUid()));
        }
        return o;
    }

    private static String excerpt(String s) {
        if (s == null || s.isBlank()) {
            return "";
        }
        String one = s.replaceAll("\\s+", " ").trim();
        return ": " + (one.length() > 200 ? one.substring(0, 200) + "..." : one);
    }
}
