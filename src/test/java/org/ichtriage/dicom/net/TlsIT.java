package org.ichtriage.dicom.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listener over JSSE TLS 1.2/1.3 with a throwaway self-signed key made by the JDK's keytool. */
class TlsIT {
    @TempDir
    Path tmp;

    private SSLContext context() throws Exception {
        Path ks = tmp.resolve("ks.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "scp", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore", ks.toString(),
                "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, out);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "changeit".toCharArray());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    @Test
    void echoAndStoreOverTlsAndPlainPeerIsRefused() throws Exception {
        SSLContext ctx = context();
        try (DicomServer server = DicomServer.start(ScpConfig.defaults().withPort(0).withTls(ctx, true), req -> StoreStatus.OK)) {
            ScuConfig scu = ScuConfig.of("127.0.0.1", server.port(), "ICHTRIAGE", "TLSSCU").withTls(ctx);
            try (DicomClient c = DicomClient.connect(scu, DicomClient.propose(
                    List.of(DicomUids.VERIFICATION, DicomUids.CT_IMAGE_STORAGE), List.of(DicomUids.EXPLICIT_VR_LE)))) {
                assertEquals(0, c.echo());
                assertTrue(c.store(DicomUids.CT_IMAGE_STORAGE, "1.2.3", DicomUids.EXPLICIT_VR_LE, new byte[300_000]).isSuccess());
            }
            // a plain-TCP peer gets no association
            ScuConfig plain = ScuConfig.of("127.0.0.1", server.port(), "ICHTRIAGE", "PLAIN")
                    .withResponseTimeout(java.time.Duration.ofSeconds(15));
            assertThrows(java.io.IOException.class, () -> DicomClient.connect(plain,
                    DicomClient.propose(List.of(DicomUids.VERIFICATION), List.of(DicomUids.IMPLICIT_VR_LE))));
            // the negotiated protocol is 1.2 or 1.3
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", server.port())) {
                s.startHandshake();
                assertTrue(List.of("TLSv1.2", "TLSv1.3").contains(s.getSession().getProtocol()), s.getSession().getProtocol());
            }
            try (DicomClient c = DicomClient.connect(scu, DicomClient.propose(List.of(DicomUids.VERIFICATION),
                    List.of(DicomUids.IMPLICIT_VR_LE)))) {
                assertEquals(0, c.echo());
            }
        }
    }
}
