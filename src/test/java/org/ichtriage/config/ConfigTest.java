package org.ichtriage.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {
    @TempDir
    Path tmp;

    private Path file(String content) throws IOException {
        Path f = tmp.resolve("ich.properties");
        Files.writeString(f, content);
        return f;
    }

    @Test
    void commandLineBeatsEnvironmentBeatsFileBeatsDefault() throws IOException {
        Path f = file("dicom.port=2000\nhttp.port=2001\ndicom.ae-title=FROMFILE\n");
        Map<String, String> env = Map.of("ICH_DICOM_PORT", "3000", "ICH_HTTP_PORT", "3001");
        Map<String, String> cli = Map.of("dicom.port", "4000");
        ResolvedSettings r = ResolvedSettings.resolve(f, env, cli);
        IchConfig c = IchConfig.from(r);
        assertEquals(4000, c.dicom().port());
        assertEquals(3001, c.http().port());
        assertEquals("FROMFILE", c.dicom().aeTitle());
        assertEquals(8, c.dicom().maxAssociations());
        assertEquals(ConfigSource.COMMAND_LINE, r.get("dicom.port").source());
        assertEquals(ConfigSource.ENVIRONMENT, r.get("http.port").source());
        assertEquals(ConfigSource.FILE, r.get("dicom.ae-title").source());
        assertEquals(ConfigSource.DEFAULT, r.get("dicom.max-associations").source());
    }

    @Test
    void defaultsBindLoopbackAndEmbedKafka() {
        IchConfig c = IchConfig.load(null, Map.of(), Map.of());
        assertTrue(c.kafka().embedded());
        assertEquals("127.0.0.1", c.dicom().bindHost());
        assertEquals("127.0.0.1", c.http().bindHost());
        assertEquals("127.0.0.1", c.kafka().embeddedHost());
        assertEquals(9092, c.kafka().embeddedPort());
        assertEquals("ICHTRIAGE", c.dicom().aeTitle());
        assertEquals(11112, c.dicom().port());
    }

    @Test
    void standardKafkaVariableSelectsExternalCluster() {
        IchConfig c = IchConfig.load(null, Map.of("KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9093"), Map.of());
        assertEquals("k1:9092,k2:9093", c.kafka().bootstrapServers().orElseThrow());
    }

    @Test
    void badValueNamesTheSettingAndWhatIsAllowed() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> IchConfig.load(null, Map.of(), Map.of("dicom.port", "70000")));
        assertEquals("dicom.port", e.setting());
        assertTrue(e.getMessage().contains("0..65535"), e.getMessage());
        ConfigException role = assertThrows(ConfigException.class,
                () -> IchConfig.load(null, Map.of("ICH_ROLE", "boss"), Map.of()));
        assertTrue(role.getMessage().contains("all, ingest, worker, forwarder"), role.getMessage());
        ConfigException ae = assertThrows(ConfigException.class,
                () -> IchConfig.load(null, Map.of(), Map.of("dicom.ae-title", "WAY_TOO_LONG_AE_TITLE")));
        assertEquals("dicom.ae-title", ae.setting());
        ConfigException bootstrap = assertThrows(ConfigException.class,
                () -> IchConfig.load(null, Map.of(), Map.of("kafka.bootstrap-servers", "nohostport")));
        assertEquals("kafka.bootstrap-servers", bootstrap.setting());
    }

    @Test
    void minInsyncReplicasIsTheBrokersUnlessSetAndNeverAboveTheReplicationFactor() {
        assertTrue(IchConfig.load(null, Map.of(), Map.of()).topics().minInsyncReplicas().isEmpty(), "empty: the brokers' setting");
        IchConfig cluster = IchConfig.load(null, Map.of("ICH_TOPICS_REPLICATION_FACTOR", "3", "ICH_TOPICS_MIN_INSYNC_REPLICAS", "2"), Map.of());
        assertEquals(2, cluster.topics().minInsyncReplicas().getAsInt());
        assertEquals(Map.of("min.insync.replicas", "2", "unclean.leader.election.enable", "false"),
                org.ichtriage.kafka.TopicCatalog.durability(cluster.topics()));
        for (var spec : org.ichtriage.kafka.TopicCatalog.specs(cluster.topics())) {
            assertEquals("2", spec.configs().get("min.insync.replicas"), spec.name());
            assertEquals("false", spec.configs().get("unclean.leader.election.enable"), spec.name());
        }
        ConfigException above = assertThrows(ConfigException.class, () -> IchConfig.load(null, Map.of(),
                Map.of("topics.replication-factor", "1", "topics.min-insync-replicas", "2")));
        assertEquals("topics.min-insync-replicas", above.setting());
        assertTrue(above.getMessage().contains("topics.replication-factor (1)"), above.getMessage());
        assertEquals("topics.min-insync-replicas", assertThrows(ConfigException.class,
                () -> IchConfig.load(null, Map.of(), Map.of("topics.min-insync-replicas", "0"))).setting());
    }

    @Test
    void unknownKeysAreRefusedNotIgnored() throws IOException {
        Path f = file("dicom.prot=11112\n");
        ConfigException e = assertThrows(ConfigException.class, () -> IchConfig.load(f, Map.of(), Map.of()));
        assertEquals("dicom.prot", e.setting());
        assertThrows(ConfigException.class, () -> IchConfig.load(tmp.resolve("missing.properties"), Map.of(), Map.of()));
    }

    @Test
    void unknownIchVariablesAreNamedSoATypoIsSeen() {
        ResolvedSettings r = ResolvedSettings.resolve(null, Map.of("ICH_DICOM_PROT", "11113", "ICH_DICOM_PORT", "11114",
                "ICH_CONFIG", "x.properties", "ICH_LOG_LEVEL", "DEBUG", "ICH_ZZ", "1", "PATH", "/bin"), Map.of());
        assertEquals(java.util.List.of("ICH_DICOM_PROT", "ICH_ZZ"), r.unknownEnvironment());
        assertEquals("11114", r.get("dicom.port").raw());
        assertEquals(java.util.List.of(), ResolvedSettings.resolve(null, Map.of("ICH_DICOM_PORT", "1"), Map.of()).unknownEnvironment());
    }

    @Test
    void kafkaSecretsReachClientPropertiesOnly() {
        IchConfig c = IchConfig.load(null, Map.of("ICH_KAFKA_SASL_JAAS_CONFIG", "secret-line"),
                Map.of("kafka.security.protocol", "SASL_SSL", "kafka.sasl.mechanism", "SCRAM-SHA-512"));
        assertEquals("secret-line", c.kafka().clientSecurityProperties().get("sasl.jaas.config"));
        assertEquals("SASL_SSL", c.kafka().clientSecurityProperties().get("security.protocol"));
    }

    @Test
    void expansionDefaultsAreTheClinicalDefinition() {
        IchConfig c = IchConfig.load(null, Map.of(), Map.of());
        assertEquals(48.0, c.expansion().windowHours());
        assertEquals(6.0, c.expansion().absoluteMl());
        assertEquals(0.33, c.expansion().relative());
        assertEquals("", c.results().patientKeySecret());
    }

    @Test
    void expansionSettingsComeFromEnvironmentAndAreBounded() {
        IchConfig c = IchConfig.load(null, Map.of("ICH_EXPANSION_WINDOW_HOURS", "72", "ICH_EXPANSION_ABSOLUTE_ML", "12.5",
                "ICH_EXPANSION_RELATIVE", "0.5"), Map.of());
        assertEquals(72.0, c.expansion().windowHours());
        assertEquals(12.5, c.expansion().absoluteMl());
        assertEquals(0.5, c.expansion().relative());
        for (String[] bad : new String[][] {
                {"expansion.window-hours", "0"}, {"expansion.window-hours", "NaN"}, {"expansion.absolute-ml", "-6"},
                {"expansion.absolute-ml", "six"}, {"expansion.relative", "0"}, {"expansion.relative", "Infinity"}}) {
            ConfigException e = assertThrows(ConfigException.class, () -> IchConfig.load(null, Map.of(), Map.of(bad[0], bad[1])),
                    bad[0] + "=" + bad[1]);
            assertEquals(bad[0], e.setting());
            assertTrue(e.getMessage().contains(".."), e.getMessage());
        }
    }

    @Test
    void patientKeySecretIsValidatedWithoutEchoingItAndMaskedInToString() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> IchConfig.load(null, Map.of("ICH_RESULTS_PATIENT_KEY_SECRET", "short-s3cret"), Map.of()));
        assertEquals("results.patient-key-secret", e.setting());
        assertFalse(e.getMessage().contains("short-s3cret"), e.getMessage());
        IchConfig c = IchConfig.load(null, Map.of("ICH_RESULTS_PATIENT_KEY_SECRET", "a-long-enough-s3cret-value"), Map.of());
        assertEquals("a-long-enough-s3cret-value", c.results().patientKeySecret());
        assertFalse(c.toString().contains("s3cret"), c.toString());
        assertTrue(Settings.byKey("results.patient-key-secret").orElseThrow().secret());
    }

    @Test
    void forwardDestinationsAreParsedOrRefusedByName() {
        IchConfig c = IchConfig.load(null, Map.of("ICH_FORWARD_DESTINATIONS", "ORTHANC@pacs.local:4242, BACKUP@10.0.0.2:104"), Map.of());
        assertEquals(2, c.forward().destinations().size());
        assertEquals("ORTHANC", c.forward().destinations().get(0).aeTitle());
        assertEquals(104, c.forward().destinations().get(1).port());
        ConfigException e = assertThrows(ConfigException.class,
                () -> IchConfig.load(null, Map.of(), Map.of("forward.destinations", "pacs.local:4242")));
        assertEquals("forward.destinations", e.setting());
    }
}
