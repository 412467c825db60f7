package org.ichtriage.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.ichtriage.Topics;
import org.ichtriage.config.IchConfig;
import org.ichtriage.kafka.TopicCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the single-node embedded broker a C-STORE Success must rest on the disk: the service sets
 * ich.instances.v1 to sync every write before the broker confirms it, by default, also on a topic
 * that existed before (an installation upgraded in place), and not when the setting is off.
 */
class InstanceSyncIT {
    @TempDir
    Path state;

    private IchConfig config(String sync) {
        return IchConfig.load(null, Map.of(), Map.of("state.dir", state.toString(), "role", "ingest",
                "kafka.embedded.port", "0", "http.port", "0", "dicom.port", "0", "kafka.embedded.sync-instances", sync));
    }

    /** The topic's flush.messages once it is {@code expected}, or as it is after 15 s: the broker applies a change a moment after the controller took it. */
    private static String flushMessages(IchTriageService service, String expected) throws Exception {
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, Topics.INSTANCES);
        try (Admin admin = Admin.create(service.kafka().clientProperties())) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (true) {
                Config c = admin.describeConfigs(List.of(topic)).all().get(30, TimeUnit.SECONDS).get(topic);
                String v = c.get(TopicCatalog.FLUSH_MESSAGES).value();
                if (v.equals(expected) || System.nanoTime() > deadline) return v;
                Thread.sleep(100);
            }
        }
    }

    @Test
    void theEmbeddedInstanceTopicSyncsEachWriteByDefaultAndOnlyThen() throws Exception {
        try (IchTriageService off = new IchTriageService(config("false")).start()) {
            assertEquals(Long.toString(Long.MAX_VALUE), flushMessages(off, Long.toString(Long.MAX_VALUE)), "off: the broker's default (sync from the page cache when it likes)");
        }
        // the same state folder: the topic exists already and is brought to the promise
        try (IchTriageService on = new IchTriageService(IchConfig.load(null, Map.of(), Map.of("state.dir", state.toString(),
                "role", "ingest", "kafka.embedded.port", "0", "http.port", "0", "dicom.port", "0"))).start()) {
            assertEquals("1", flushMessages(on, "1"));
        }
    }
}
