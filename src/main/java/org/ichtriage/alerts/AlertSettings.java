package org.ichtriage.alerts;

import org.ichtriage.events.TriageCategory;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;


/**
 * The alerts.* settings, typed and checked. Every output is off until its destination is set; the
 * app.config catalogue lists the keys, their defaults and help.
 */
public record AlertSettings(int maxAttempts, long backoffMs, Optional<String> boardUrl,
                            Optional<Hl7> hl7, Optional<Fhir> fhir, Optional<Webhook> webhook) {

    /** A setting that does not parse: the key and what it allows (turned into the CLI's one-line error). */
    public static final class InvalidSettingException extends IllegalArgumentException {
        private final String key;

        public InvalidSettingException(String key, String message) {
            super(message);
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    public record Rule(TriageCategory minCategory, DeliveryRule.Revisions revisions) {
        public DeliveryRule newRule() {
            return new DeliveryRule(minCategory, revisions);
        }
    }

    public record MllpDestination(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /**
     * @param patientIdentity put PatientName and PatientBirthDate into PID when the event carries them; off,
     *                        PID-3 carries the patient key only
     */
    public record Hl7(List<MllpDestination> destinations, boolean tls, Rule rule, boolean patientIdentity,
                      String sendingFacility, String receivingApplication, String receivingFacility, int ackTimeoutMs) {}

    public record Fhir(URI baseUrl, String bearerToken, Rule rule) {
        @Override
        public String toString() {
            return "Fhir[baseUrl=" + baseUrl + ", bearerToken=" + (bearerToken.isEmpty() ? "" : "****") + ", rule=" + rule + "]";
        }
    }

    public record Webhook(List<URI> urls, String secret, WebhookBody body, Rule rule) {
        @Override
        public String toString() {
            return "Webhook[urls=" + urls.size() + ", secret=****, body=" + body + ", rule=" + rule + "]";
        }
    }

    /** @param raw the raw value of a setting by key (every alerts.* key is in the catalogue) */
    public static AlertSettings from(Function<String, String> raw) {
        P p = new P(raw);
        List<MllpDestination> mllp = p.mllp("alerts.hl7.destinations");
        Optional<Hl7> hl7 = mllp.isEmpty() ? Optional.empty() : Optional.of(new Hl7(mllp, p.bool("alerts.hl7.tls"),
                p.rule("alerts.hl7"), p.bool("alerts.hl7.patient-identity"), p.hd("alerts.hl7.sending-facility"),
                p.hd("alerts.hl7.receiving-application"), p.hd("alerts.hl7.receiving-facility"),
                p.intIn("alerts.hl7.ack-timeout-ms", 1000, 300_000)));
        String base = raw.apply("alerts.fhir.base-url").trim();
        Optional<Fhir> fhir = base.isEmpty() ? Optional.empty()
                : Optional.of(new Fhir(p.url("alerts.fhir.base-url", base), raw.apply("alerts.fhir.bearer-token").trim(),
                p.rule("alerts.fhir")));
        List<URI> urls = new ArrayList<>();
        for (String u : p.list("alerts.webhook.urls")) {
            urls.add(p.url("alerts.webhook.urls", u));
        }
        Optional<Webhook> webhook = Optional.empty();
        if (!urls.isEmpty()) {
            String secret = raw.apply("alerts.webhook.secret").trim();
            if (secret.length() < 16) {
                throw new InvalidSettingException("alerts.webhook.secret", secret.isEmpty()
                        ? "must be set when alerts.webhook.urls is: every webhook is signed"
                        : "is too short (" + secret.length() + " characters); give at least 16");
            }
            WebhookBody body;
            try {
                body = WebhookBody.parse(raw.apply("alerts.webhook.body"));
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException("alerts.webhook.body", e.getMessage());
            }
            webhook = Optional.of(new Webhook(List.copyOf(urls), secret, body, p.rule("alerts.webhook")));
        }
        String board = raw.apply("alerts.board-url").trim();
        return new AlertSettings(p.intIn("alerts.max-attempts", 1, 100), p.intIn("alerts.backoff-ms", 10, 600_000),
                board.isEmpty() ? Optional.empty() : Optional.of(p.url("alerts.board-url", board).toString()), hl7, fhir, webhook);
    }

    private record P(Function<String, String> raw) {
        String s(String key) {
            return raw.apply(key).trim();
        }

        List<String> list(String key) {
            String v = s(key);
            return v.isEmpty() ? List.of() : Arrays.stream(v.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
        }

        int intIn(String key, int min, int max) {
            try {
                int i = Integer.parseInt(s(key));
                if (i >= min && i <= max) {
                    return i;
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw new InvalidSettingException(key, "'" + s(key) + "' is not allowed; give a whole number in " + min + ".." + max);
        }

        boolean bool(String key) {
            String v = s(key).toLowerCase(Locale.ROOT);
            if (v.equals("true") || v.equals("false")) {
                return Boolean.parseBoolean(v);
            }
            throw new InvalidSettingException(key, "'" + s(key) + "' is not allowed; give true or false");
        }

        /** An HL7 HD namespace id: printable, without the delimiters | ^ ~ \ &. */
        String hd(String key) {
            String v = s(key);
            if (v.length() > 20 || !v.chars().allMatch(c -> c >= 0x20 && c < 0x7f && "|^~\\&".indexOf(c) < 0)) {
                throw new InvalidSettingException(key, "'" + v + "' is not allowed; give up to 20 printable characters without | ^ ~ \\ &");
            }
            return v;
        }

        Rule rule(String prefix) {
            TriageCategory min;
            DeliveryRule.Revisions rev;
            try {
                min = TriageCategory.parse(s(prefix + ".min-category"));
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(prefix + ".min-category", e.getMessage());
            }
            try {
                rev = DeliveryRule.Revisions.parse(s(prefix + ".revisions"));
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(prefix + ".revisions", e.getMessage());
            }
            return new Rule(min, rev);
        }

        URI url(String key, String v) {
            try {
                URI u = new URI(v);
                if (u.getHost() != null && ("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme()))) {
                    return u;
                }
            } catch (URISyntaxException e) {
                // below
            }
            throw new InvalidSettingException(key, "'" + (key.contains("webhook") ? "(a URL)" : v)
                    + "' is not an http:// or https:// URL with a host");
        }

        List<MllpDestination> mllp(String key) {
            List<MllpDestination> out = new ArrayList<>();
            for (String d : list(key)) {
                int colon = d.lastIndexOf(':');
                int port = -1;
                if (colon > 0) {
                    try {
                        port = Integer.parseInt(d.substring(colon + 1));
                    } catch (NumberFormatException e) {
                        // below
                    }
                }
                if (port < 1 || port > 65535) {
                    throw new InvalidSettingException(key, "'" + d + "' is not host:port; give host:port[,host:port...]");
                }
                out.add(new MllpDestination(d.substring(0, colon), port));
            }
            return List.copyOf(out);
        }
    }
}
