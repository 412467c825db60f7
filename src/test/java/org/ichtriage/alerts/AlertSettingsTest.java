package org.ichtriage.alerts;

import org.ichtriage.events.TriageCategory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.ichtriage.config.ConfigException;
import org.ichtriage.config.IchConfig;
import org.ichtriage.config.Settings;
import org.junit.jupiter.api.Test;

class AlertSettingsTest {
    private static IchConfig load(Map<String, String> cli) {
        return IchConfig.load(null, Map.of(), cli);
    }

    @Test
    void everyOutputIsOffByDefault() {
        AlertSettings a = load(Map.of()).alerts();
        assertTrue(a.hl7().isEmpty());
        assertTrue(a.fhir().isEmpty());
        assertTrue(a.webhook().isEmpty());
        assertTrue(a.boardUrl().isEmpty());
        assertEquals(5, a.maxAttempts());
    }

    @Test
    void outputsAndRulesAreTyped() {
        Map<String, String> s = new HashMap<>();
        s.put("alerts.hl7.destinations", "mirth.example.org:6661, 127.0.0.1:2575");
        s.put("alerts.hl7.min-category", "positive");
        s.put("alerts.fhir.base-url", "https://fhir.example.org/r4");
        s.put("alerts.fhir.revisions", "all");
        s.put("alerts.webhook.urls", "https://hooks.example.org/T000/B000/secretpath");
        s.put("alerts.webhook.secret", "0123456789abcdef0123");
        s.put("role", "alerts-webhook");
        IchConfig c = load(s);
        AlertSettings a = c.alerts();
        assertEquals(IchConfig.Role.ALERTS_WEBHOOK, c.role());
        assertEquals(2, a.hl7().orElseThrow().destinations().size());
        assertEquals(2575, a.hl7().orElseThrow().destinations().get(1).port());
        assertEquals(TriageCategory.POSITIVE, a.hl7().orElseThrow().rule().minCategory());
        assertEquals(DeliveryRule.Revisions.ALL, a.fhir().orElseThrow().rule().revisions());
        assertEquals(TriageCategory.INDETERMINATE, a.webhook().orElseThrow().rule().minCategory());
        assertFalse(a.webhook().toString().contains("0123456789abcdef0123"), "secret not in toString");
        assertEquals("https://hooks.example.org#1", Destinations.display(a.webhook().orElseThrow().urls().get(0), 0),
                "the path of a webhook URL (often a token) is never shown");
    }

    @Test
    void aWebhookWithoutASecretIsRefusedByName() {
        ConfigException e = assertThrows(ConfigException.class, () -> load(Map.of("alerts.webhook.urls", "http://127.0.0.1:9/x")));
        assertTrue(e.getMessage().contains("alerts.webhook.secret"), e.getMessage());
        ConfigException bad = assertThrows(ConfigException.class, () -> load(Map.of("alerts.hl7.destinations", "mirth")));
        assertTrue(bad.getMessage().contains("alerts.hl7.destinations"), bad.getMessage());
        ConfigException cat = assertThrows(ConfigException.class, () -> load(Map.of("alerts.fhir.base-url", "http://x:1/",
                "alerts.fhir.min-category", "urgent")));
        assertTrue(cat.getMessage().contains("alerts.fhir.min-category"), cat.getMessage());
    }

    @Test
    void configCommandMasksTheWebhookSecretAndTheBearerToken() throws Exception {
        java.io.PrintStream original = System.out;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int rc;
        System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            rc = org.ichtriage.cli.Main.execute("config", "--set", "alerts.webhook.urls=https://hooks.example.org/x",
                    "--set", "alerts.webhook.secret=hunter2-hunter2-hunter2", "--set", "alerts.fhir.base-url=https://fhir.example.org/r4",
                    "--set", "alerts.fhir.bearer-token=tok-abcdef-123456");
        } finally {
            System.setOut(original);
        }
        String printed = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, rc, printed);
        assertFalse(printed.contains("hunter2") || printed.contains("tok-abcdef"), printed);
        assertTrue(printed.matches("(?s).*alerts\\.webhook\\.secret\\s+= \\*\\*\\*\\*.*"), printed);
        assertTrue(printed.matches("(?s).*alerts\\.fhir\\.bearer-token\\s+= \\*\\*\\*\\*.*"), printed);
        assertTrue(printed.contains("https://fhir.example.org/r4"), "settings that are not secret are shown");
    }

    @Test
    void secretsAreMaskedLikeTheOthers() {
        assertTrue(Settings.byKey("alerts.webhook.secret").orElseThrow().secret());
        assertTrue(Settings.byKey("alerts.fhir.bearer-token").orElseThrow().secret());
        assertFalse(Settings.byKey("alerts.webhook.urls").orElseThrow().secret());
    }
}
