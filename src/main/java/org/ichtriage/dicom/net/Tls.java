package org.ichtriage.dicom.net;

import java.util.Arrays;
import javax.net.ssl.SSLSocket;

/** Restricts JSSE sockets to TLS 1.2 and 1.3 (PS3.15 B.9 and BCP 195 profiles). */
final class Tls {
    private Tls() {
    }

    static void restrict(SSLSocket s) {
        String[] allowed = Arrays.stream(s.getSupportedProtocols())
                .filter(p -> p.equals("TLSv1.2") || p.equals("TLSv1.3")).toArray(String[]::new);
        if (allowed.length == 0) {
            throw new IllegalStateException("JSSE supports neither TLSv1.2 nor TLSv1.3");
        }
        s.setEnabledProtocols(allowed);
    }
}
