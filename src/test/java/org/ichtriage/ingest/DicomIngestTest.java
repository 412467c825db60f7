package org.ichtriage.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.ichtriage.config.ConfigException;
import org.ichtriage.config.IchConfig;
import org.ichtriage.dicom.net.ScpConfig;
import org.junit.jupiter.api.Test;

class DicomIngestTest {
    @Test
    void settingsMapOntoListenerAndSink() {
        IchConfig.Dicom d = new IchConfig.Dicom("127.0.0.1", 11113, "MYAE", 3, 65536, 2500, List.of("CT1", "CT2"),
                List.of("127.0.0.1"), Optional.empty(), "", Optional.of(Path.of("/tmp/spool")), 2, 30_000,
                Optional.empty(), "", false);
        ScpConfig s = DicomIngest.scpConfig(d);
        assertEquals(11113, s.port());
        assertEquals("MYAE", s.aeTitle());
        assertEquals(3, s.maxAssociations());
        assertEquals(2, s.maxAssociationsPerAe());
        assertEquals(Duration.ofMillis(30_000), s.idleTimeout());
        assertEquals(65536, s.maxPduReceiveLength());
        assertEquals(Set.of("CT1", "CT2"), s.allowedCallingAets());
        assertEquals(Set.of("127.0.0.1"), s.allowedAddresses());
        assertEquals(null, s.sslContext());
        IngestConfig i = DicomIngest.ingestConfig(d);
        assertEquals(Duration.ofMillis(2500), i.sendTimeout());
        assertEquals(Optional.of(Path.of("/tmp/spool")), i.spoolDir());
        assertEquals("ich.instances.v1", i.topic());
    }

    @Test
    void unusableKeystoreIsAConfigError() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> DicomIngest.sslContext(Path.of("/nonexistent/ks.p12"), "x"));
        assertTrue(e.getMessage().contains("dicom.tls.keystore"), e.getMessage());
    }
}
