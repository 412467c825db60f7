package org.ichtriage.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.ichtriage.app.config.ConfigException;
import org.ichtriage.app.config.ConfigSource;
import org.ichtriage.app.config.IchConfig;
import org.ichtriage.app.config.ResolvedSettings;
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
    void unknownKeysAreRefusedNotIgnored() throws IOException {
        Path f = file("dicom.prot=11112\n");
        ConfigException e = assertThrows(ConfigException.class, () -> IchConfig.load(f, Map.of(), Map.of()));
        assertEquals("dicom.prot", e.setting());
        assertThrows(ConfigException.class, () -> IchConfig.load(tmp.resolve("missing.properties"), Map.of(), Map.of()));
    }

    @Test
    void kafkaSecretsReachClientPropertiesOnly() {
        IchConfig c = IchConfig.load(null, Map.of("ICH_KAFKA_SASL_JAAS_CONFIG", "secret-line"),
                Map.of("kafka.security.protocol", "SASL_SSL", "kafka.sasl.mechanism", "SCRAM-SHA-512"));
        assertEquals("secret-line", c.kafka().clientSecurityProperties().get("sasl.jaas.config"));
        assertEquals("SASL_SSL", c.kafka().clientSecurityProperties().get("security.protocol"));
    }
}
