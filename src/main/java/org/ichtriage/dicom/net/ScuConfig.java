package org.ichtriage.dicom.net;

import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * Settings of an outgoing association.
 *
 * @param responseTimeout     read timeout for the A-ASSOCIATE-AC, each DIMSE response and the A-RELEASE-RP
 * @param maxPduReceiveLength the P-DATA-TF length we announce; the peer's own limit bounds what we send
 * @param sslContext          if non-null, connect with TLS 1.2/1.3
 */
public record ScuConfig(String host, int port, String calledAet, String callingAet, Duration connectTimeout,
                        Duration responseTimeout, int maxPduReceiveLength, SSLContext sslContext) {
    public ScuConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(calledAet, "calledAet");
        Objects.requireNonNull(callingAet, "callingAet");
        if (calledAet.isEmpty() || calledAet.length() > 16 || callingAet.isEmpty() || callingAet.length() > 16) {
            throw new IllegalArgumentException("AE titles must be 1..16 characters");
        }
    }

    public static ScuConfig of(String host, int port, String calledAet, String callingAet) {
        return new ScuConfig(host, port, calledAet, callingAet, Duration.ofSeconds(10), Duration.ofSeconds(60),
                256 * 1024, null);
    }

    public ScuConfig withTls(SSLContext ctx) {
        return new ScuConfig(host, port, calledAet, callingAet, connectTimeout, responseTimeout, maxPduReceiveLength, ctx);
    }

    public ScuConfig withResponseTimeout(Duration d) {
        return new ScuConfig(host, port, calledAet, callingAet, connectTimeout, d, maxPduReceiveLength, sslContext);
    }
}
