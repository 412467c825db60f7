package org.ichtriage.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.ichtriage.events.EventJson;
import org.junit.jupiter.api.Test;

class SeriesStateTest {
    @Test
    void keepsTheNewestReceiveTimeAndReadsStateWrittenBeforeIt() {
        SeriesState s = SeriesState.open("1.2.3", 1, 1_000).withInstance(1_000, 10, null, 1, 0.0, null)
                .receivedAt(900).receivedAt(700);
        assertEquals(900, s.lastReceivedMs(), "an instance received earlier (a resend) does not move it back");
        String json = new String(EventJson.toBytes(s), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"last_received_ms\":900"), json);
        String older = json.replace(",\"last_received_ms\":900", "");
        SeriesState restored = EventJson.fromBytes(older.getBytes(StandardCharsets.UTF_8), SeriesState.class);
        assertEquals(0, restored.lastReceivedMs(), "state from before the field: unknown, the worker clock decides");
        assertEquals(1, restored.instanceCount());
    }
}
