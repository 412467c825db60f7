package org.ichtriage.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;

import org.ichtriage.config.ConfigException;
import org.ichtriage.config.IchConfig;
import org.ichtriage.config.ResolvedSettings;
import org.ichtriage.dicom.net.DicomClient;
import org.ichtriage.dicom.net.DicomServer;
import org.ichtriage.dicom.net.DicomUids;
import org.ichtriage.dicom.net.ScuConfig;
import org.ichtriage.dicom.net.StoreStatus;
import org.ichtriage.testing.Keystores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dicom.tls.require-client-cert with dicom.tls.truststore: keys and certificates made by the JDK's
 * keytool; a sender with a trusted client certificate is served, one without a certificate or with
 * an untrusted one gets no association.
 */
class ClientCertificateIT {
    @TempDir
    Path tmp;

    private Path keyPair(String name) throws Exception {
        return Keystores.keyPair(tmp, name, "CN=" + name);
    }

    /** A sender's TLS context: trusts the listener's key, presents {@code clientKey} when given. */
    private static SSLContext sender(Path serverKeystore, Path clientKey) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(clientKey == null ? null : Keystores.keyManagers(clientKey), Keystores.trustManagers(serverKeystore), null);
        return ctx;
    }

    private static IchConfig config(Map<String, String> settings) {
        return IchConfig.from(ResolvedSettings.resolve(null, Map.of(), settings));
    }

    private static int echo(DicomServer server, SSLContext ctx) throws IOException {
        ScuConfig scu = ScuConfig.of("127.0.0.1", server.port(), "ICHTRIAGE", "TLSSCU").withTls(ctx)
                .withResponseTimeout(Duration.ofSeconds(15));
        try (DicomClient c = DicomClient.connect(scu, DicomClient.propose(List.of(DicomUids.VERIFICATION),
                List.of(DicomUids.IMPLICIT_VR_LE)))) {
            int status = c.echo();
            c.release();
            return status;
        }
    }

    @Test
    void onlyASenderWithATrustedClientCertificateIsServed() throws Exception {
        Path serverKey = keyPair("scp");
        Path modalityKey = keyPair("modality");
        Path strangerKey = keyPair("stranger");
        Path truststore = Keystores.trusting(tmp, modalityKey, "modality");
        IchConfig cfg = config(Map.of("dicom.port", "0", "dicom.tls.keystore", serverKey.toString(),
                "dicom.tls.keystore-password", Keystores.PASSWORD, "dicom.tls.truststore", truststore.toString(),
                "dicom.tls.truststore-password", Keystores.PASSWORD, "dicom.tls.require-client-cert", "true"));
        try (DicomServer server = DicomServer.start(DicomIngest.scpConfig(cfg.dicom()), req -> StoreStatus.OK)) {
            assertEquals(0, echo(server, sender(serverKey, modalityKey)), "trusted client certificate");
            assertThrows(IOException.class, () -> echo(server, sender(serverKey, null)), "no client certificate");
            assertThrows(IOException.class, () -> echo(server, sender(serverKey, strangerKey)), "untrusted client certificate");
            assertEquals(0, echo(server, sender(serverKey, modalityKey)), "still serving");
        }
    }

    @Test
    void requiringClientCertificatesWithoutATruststoreIsAConfigError() throws Exception {
        Path serverKey = keyPair("scp");
        ConfigException e = assertThrows(ConfigException.class, () -> config(Map.of("dicom.tls.keystore", serverKey.toString(),
                "dicom.tls.require-client-cert", "true")));
        assertEquals("dicom.tls.require-client-cert", e.setting());
        assertTrue(e.getMessage().contains("dicom.tls.truststore"), e.getMessage());
    }
}
