package org.ichtriage.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.ichtriage.config.ConfigException;
import org.ichtriage.config.IchConfig;
import org.ichtriage.config.ResolvedSettings;
import org.ichtriage.dicom.net.DicomClient;
import org.ichtriage.dicom.net.DicomServer;
import org.ichtriage.dicom.net.DicomUids;
import org.ichtriage.dicom.net.ScuConfig;
import org.ichtriage.dicom.net.StoreStatus;
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

    private void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, out);
    }

    private Path keyPair(String name) throws Exception {
        Path ks = tmp.resolve(name + ".p12");
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-validity", "2", "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", "changeit", "-keypass", "changeit");
        return ks;
    }

    /** A truststore holding only the certificate of {@code keystore}'s key. */
    private Path trusting(Path keystore, String alias) throws Exception {
        Path cert = tmp.resolve(alias + ".crt");
        keytool("-exportcert", "-alias", alias, "-keystore", keystore.toString(), "-storepass", "changeit", "-file", cert.toString());
        Path ts = tmp.resolve("trusts-" + alias + ".p12");
        keytool("-importcert", "-noprompt", "-alias", alias, "-file", cert.toString(), "-storetype", "PKCS12",
                "-keystore", ts.toString(), "-storepass", "changeit");
        return ts;
    }

    private static KeyStore load(Path p) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p)) {
            ks.load(in, "changeit".toCharArray());
        }
        return ks;
    }

    /** A sender's TLS context: trusts the listener's key, presents {@code clientKey} when given. */
    private static SSLContext sender(Path serverKeystore, Path clientKey) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load(serverKeystore));
        KeyManagerFactory kmf = null;
        if (clientKey != null) {
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load(clientKey), "changeit".toCharArray());
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
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
        Path truststore = trusting(modalityKey, "modality");
        IchConfig cfg = config(Map.of("dicom.port", "0", "dicom.tls.keystore", serverKey.toString(),
                "dicom.tls.keystore-password", "changeit", "dicom.tls.truststore", truststore.toString(),
                "dicom.tls.truststore-password", "changeit", "dicom.tls.require-client-cert", "true"));
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
