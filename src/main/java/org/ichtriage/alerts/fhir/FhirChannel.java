package org.ichtriage.alerts.fhir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.ichtriage.alerts.AlertEvent;
import org.ichtriage.alerts.Channel;
import org.ichtriage.alerts.Destinations;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;

/**
 * POSTs the transaction Bundle of a result to a FHIR R4 server's base URL, with a bearer token when one
 * is configured. A 2xx answer is delivery; anything else is retried. HTTPS trusts the JVM's default
 * trust store (javax.net.ssl.trustStore).
 */
public final class FhirChannel implements Channel {
    public static final String REQUEST_ID_HEADER = "X-Request-Id";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    private final String name;
    private final String bearerToken;
    private final FhirBundleBuilder builder;
    private final Clock clock;
    private final IParser json;
    private final HttpClient http;

    public FhirChannel(URI base, String bearerToken, FhirBundleBuilder builder, Clock clock) {
        this.base = base;
        this.name = Destinations.display(base, 0);
        this.bearerToken = bearerToken == null ? "" : bearerToken;
        this.builder = builder;
        this.clock = clock;
        FhirContext ctx = FhirBundleBuilder.context();
        this.json = ctx.newJsonParser();
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public String name() {
        return "fhir";
    }

    @Override
    public List<String> destinations() {
        return List.of(name);
    }

    @Override
    public Result send(int destination, AlertEvent event, byte[] eventJson) {
        byte[] body = json.encodeResourceToString(builder.build(event, clock.instant())).getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder req = HttpRequest.newBuilder(base)
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/fhir+json")
                .header("Accept", "application/fhir+json")
                .header(REQUEST_ID_HEADER, event.eventId())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (!bearerToken.isEmpty()) {
            req.header("Authorization", "Bearer " + bearerToken);
        }
        try {
            HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 == 2) {
                return Result.delivered("HTTP " + r.statusCode());
            }
            String b = r.body() == null ? "" : r.body().replaceAll("\\s+", " ").trim();
            return Result.refused("HTTP " + r.statusCode() + (b.isEmpty() ? "" : ": " + (b.length() > 300 ? b.substring(0, 300) + "..." : b)));
        } catch (IOException e) {
            return Result.unreachable("no answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.unreachable("interrupted");
        }
    }
}
