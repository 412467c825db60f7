package org.ichtriage.alerts;

import java.util.Locale;

/** What a webhook POSTs: the result event as on the topic, or the compact alert (alerts.webhook.body). */
public enum WebhookBody {
    EVENT, COMPACT;

    public static WebhookBody parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "event" -> EVENT;
            case "compact" -> COMPACT;
            default -> throw new IllegalArgumentException("'" + s + "' is not allowed; give event or compact");
        };
    }
}
