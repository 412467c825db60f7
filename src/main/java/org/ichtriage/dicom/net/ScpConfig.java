package org.ichtriage.dicom.net;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * Settings of the C-STORE/C-ECHO listener.
 *
 * @param bindHost            address to bind; loopback by default so nothing is exposed by accident
 * @param port                TCP port (0 picks a free one)
 * @param aeTitle             our AE title; the called AE title of every association must equal it
 * @param maxAssociations     concurrent associations served; more get A-ASSOCIATE-RJ local-limit-exceeded
 * @param maxPduReceiveLength the maximum P-DATA-TF length we announce and enforce; 256 KiB holds
 *                            half a 512x512 slice per PDU (few syscalls) while 8 associations
 *                            together buffer only 2 MiB of PDUs
 * @param artimTimeout        ARTIM: time allowed for the A-ASSOCIATE-RQ after connect and for the
 *                            peer to close after release or reject
 * @param idleTimeout         read timeout while an association is established
 * @param maxDatasetBytes     largest single dataset accepted; larger is aborted
 * @param maxAssociationBytes total dataset bytes accepted on one association; more is aborted
 * @param allowedCallingAets  if non-empty, only these calling AE titles are accepted
 * @param allowedAddresses    if non-empty, only these source IP addresses (textual form) are accepted
 * @param sslContext          if non-null, the listener speaks TLS 1.2/1.3 only
 * @param requireClientAuth   with TLS, require a client certificate
 * @param maxAssociationsPerAe concurrent associations one calling AE title may hold; more get
 *                            A-ASSOCIATE-RJ local-limit-exceeded, so that one sender (or one that
 *                            holds associations open) cannot take the whole pool
 */
public record ScpConfig(String bindHost, int port, String aeTitle, int maxAssociations, int maxPduReceiveLength,
                        Duration artimTimeout, Duration idleTimeout, long maxDatasetBytes, long maxAssociationBytes,
                        Set<String> allowedCallingAets, Set<String> allowedAddresses, SSLContext sslContext,
                        boolean requireClientAuth, int maxAssociationsPerAe) {
    public static final String DEFAULT_AE = "ICHTRIAGE";

    public ScpConfig {
        Objects.requireNonNull(bindHost, "bindHost");
        Objects.requireNonNull(aeTitle, "aeTitle");
        if (aeTitle.isEmpty() || aeTitle.length() > 16) {
            throw new IllegalArgumentException("aeTitle must be 1..16 characters: '" + aeTitle + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (maxAssociations < 1) {
            throw new IllegalArgumentException("maxAssociations must be >= 1: " + maxAssociations);
        }
        if (maxPduReceiveLength < 4096 || maxPduReceiveLength > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("maxPduReceiveLength must be 4 KiB..16 MiB: " + maxPduReceiveLength);
        }
        if (maxDatasetBytes < 1 || maxDatasetBytes > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("maxDatasetBytes must be 1..2^31-65: " + maxDatasetBytes);
        }
        if (maxAssociationsPerAe < 1) {
            throw new IllegalArgumentException("maxAssociationsPerAe must be >= 1: " + maxAssociationsPerAe);
        }
        allowedCallingAets = Set.copyOf(allowedCallingAets);
        allowedAddresses = Set.copyOf(allowedAddresses);
        Objects.requireNonNull(artimTimeout, "artimTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
    }

    public static ScpConfig defaults() {
        return new ScpConfig("127.0.0.1", 11112, DEFAULT_AE, 8, 256 * 1024, Duration.ofSeconds(10),
                Duration.ofSeconds(60), 32L * 1024 * 1024, 8L * 1024 * 1024 * 1024, Set.of(), Set.of(), null, false, 8);
    }

    public ScpConfig withPort(int p) {
        return new ScpConfig(bindHost, p, aeTitle, maxAssociations, maxPduReceiveLength, artimTimeout, idleTimeout,
                maxDatasetBytes, maxAssociationBytes, allowedCallingAets, allowedAddresses, sslContext, requireClientAuth, maxAssociationsPerAe);
    }

    public ScpConfig withBindHost(String h) {
        return new ScpConfig(h, port, aeTitle, maxAssociations, maxPduReceiveLength, artimTimeout, idleTimeout,
                maxDatasetBytes, maxAssociationBytes, allowedCallingAets, allowedAddresses, sslContext, requireClientAuth, maxAssociationsPerAe);
    }

    public ScpConfig withAeTitle(String ae) {
        return new ScpConfig(bindHost, port, ae, maxAssociations, maxPduReceiveLength, artimTimeout, idleTimeout,
                maxDatasetBytes, maxAssociationBytes, allowedCallingAets, allowedAddresses, sslContext, requireClientAuth, maxAssociationsPerAe);
    }

    public ScpConfig withMaxAssociations(int n) {
        return new ScpConfig(bindHost, port, aeTitle, n, maxPduReceiveLength, artimTimeout, idleTimeout,
                maxDatasetBytes, maxAssociationBytes, allowedCallingAets, allowedAddresses, sslContext, requireClientAuth, maxAssociationsPerAe);
    }

    public ScpConfig withTimeouts(Duration artim, Duration idle) {
        return new ScpConfig(bindHost, port, aeTitle, maxAssociations, maxPduReceiveLength, artim, idle,
                maxDatasetBytes, maxAssociationBytes, allowedCallingAets, allowedAddresses, sslContext, requireClientAuth, maxAssociationsPerAe);
    }

    public ScpConfig withLimits(int maxPdu, long maxDataset, long maxAssociation) {
        return new ScpConfig(bindHost, port, aeTitle, maxAssociations, maxPdu, artimTimeout, idleTimeout,
                maxDataset, maxAssociation, allowedCallingAets, allowedAddresses, sslContext, requireClientAuth, maxAssociationsPerAe);
    }

    public ScpConfig withAllowlists(Set<String> callingAets, Set<String> addresses) {
        return new ScpConfig(bindHost, port, aeTitle, maxAssociations, maxPduReceiveLength, artimTimeout, idleTimeout,
                maxDatasetBytes, maxAssociationBytes, callingAets, addresses, sslContext, requireClientAuth, maxAssociationsPerAe);
    }

    public ScpConfig withTls(SSLContext ctx, boolean clientAuth) {
        return new ScpConfig(bindHost, port, aeTitle, maxAssociations, maxPduReceiveLength, artimTimeout, idleTimeout,
                maxDatasetBytes, maxAssociationBytes, allowedCallingAets, allowedAddresses, ctx, clientAuth, maxAssociationsPerAe);
    }

    public ScpConfig withMaxAssociationsPerAe(int n) {
        return new ScpConfig(bindHost, port, aeTitle, maxAssociations, maxPduReceiveLength, artimTimeout, idleTimeout,
                maxDatasetBytes, maxAssociationBytes, allowedCallingAets, allowedAddresses, sslContext, requireClientAuth, n);
    }
}
