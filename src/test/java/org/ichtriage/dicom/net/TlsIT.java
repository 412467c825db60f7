package org.ichtriage.dicom.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.ichtriage.testing.Keystores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listener over JSSE TLS 1.2/1.3 with a throwaway self-signed key made by the JDK's keytool. */
class TlsIT {
    @TempDir
    Path tmp;

    private SSLContext context() throws Exception {
        Path ks = Keystores.keyPair(tmp, "scp", "CN=localhost");
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(Keystores.keyManagers(ks), Keystores.trustManagers(ks), null);
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
