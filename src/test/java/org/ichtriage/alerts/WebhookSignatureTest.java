package org.ichtriage.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.ichtriage.alerts.webhook.WebhookSignature;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {
    static final byte[] SECRET = "0123456789abcdef-test-secret".getBytes(StandardCharsets.UTF_8);
    static final byte[] BODY = "{\"event_id\":\"e-1\"}".getBytes(StandardCharsets.UTF_8);
    static final long T = 1764547200L;

    @Test
    void matchesTheDocumentedAlgorithmComputedElsewhere() {
        // python3: hmac.new(secret, b'1764547200.' + body, hashlib.sha256).hexdigest()
        assertEquals("t=1764547200,v1=24e9369164570598424f021ca3820897d04f9cda5373344d883995bdd51b0771",
                WebhookSignature.sign(SECRET, T, BODY));
    }

    @Test
    void verifiesWithinTheToleranceAndRejectsChangesAndReplays() {
        String h = WebhookSignature.sign(SECRET, T, BODY);
        assertNull(WebhookSignature.verify(SECRET, h, BODY, T + 10, 300));
        byte[] altered = "{\"event_id\":\"e-2\"}".getBytes(StandardCharsets.UTF_8);
        assertTrue(WebhookSignature.verify(SECRET, h, altered, T + 10, 300).contains("does not match"));
        assertTrue(WebhookSignature.verify(SECRET, h, BODY, T + 301, 300).contains("replay"), "an old request is refused");
        String otherTime = h.replace("t=" + T, "t=" + (T + 5));
        assertTrue(WebhookSignature.verify(SECRET, otherTime, BODY, T + 10, 300).contains("does not match"),
                "the timestamp is signed with the body");
        assertNotNull(WebhookSignature.verify("another-secret-0000".getBytes(StandardCharsets.UTF_8), h, BODY, T, 300));
        assertNotNull(WebhookSignature.verify(SECRET, null, BODY, T, 300));
        assertNotNull(WebhookSignature.verify(SECRET, "t=abc,v1=00", BODY, T, 300));
    }
}
