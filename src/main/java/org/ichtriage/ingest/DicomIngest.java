package org.ichtriage.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Optional;
import java.util.HashSet;
import java.util.Properties;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.ichtriage.config.ConfigException;
import org.ichtriage.config.IchConfig;
import org.ichtriage.dicom.net.DicomServer;
import org.ichtriage.dicom.net.ScpConfig;

/**
 * The ingest part of `ich-triage run`: the DICOM listener handing instances to ich.instances.v1.
 * Wire it with {@code service.own(DicomIngest.start(config.dicom(), service.kafka().clientProperties()))}.
 */
public final class DicomIngest implements AutoCloseable {
    private final KafkaInstanceSink sink;
    private final DicomServer server;

    private DicomIngest(KafkaInstanceSink sink, DicomServer server) {
        this.sink = sink;
        this.server = server;
    }

    public static DicomIngest start(IchConfig.Dicom d, Properties kafkaClientProperties) throws IOException {
        return start(d, kafkaClientProperties, IngestBlocker.NONE);
    }

    /** While {@code blocker} holds (a nearly full disk, a failed broker) every C-STORE is answered A700 with its reason. */
    public static DicomIngest start(IchConfig.Dicom d, Properties kafkaClientProperties, IngestBlocker blocker) throws IOException {
        KafkaInstanceSink sink = new KafkaInstanceSink(ingestConfig(d), kafkaClientProperties);
        try {
            return new DicomIngest(sink, DicomServer.start(scpConfig(d), new BlockableStoreHandler(blocker, sink)));
        } catch (IOException | RuntimeException e) {
            sink.close();
            throw e;
        }
    }

    static ScpConfig scpConfig(IchConfig.Dicom d) {
        ScpConfig c = ScpConfig.defaults().withBindHost(d.bindHost()).withPort(d.port()).withAeTitle(d.aeTitle())
                .withMaxAssociations(d.maxAssociations()).withMaxAssociationsPerAe(d.maxAssociationsPerAe())
                .withAllowlists(new HashSet<>(d.allowedCallingAets()), new HashSet<>(d.allowedAddresses()));
        c = c.withLimits(d.maxPduLength(), c.maxDatasetBytes(), c.maxAssociationBytes())
                .withTimeouts(c.artimTimeout(), Duration.ofMillis(d.idleTimeoutMs()));
        if (d.tlsKeystore().isPresent()) {
            c = c.withTls(sslContext(d.tlsKeystore().get(), d.tlsKeystorePassword(), d.tlsTruststore(),
                    d.tlsTruststorePassword()), d.tlsRequireClientCert());
        }
        return c;
    }

    static IngestConfig ingestConfig(IchConfig.Dicom d) {
        IngestConfig c = IngestConfig.defaults().withSendTimeout(Duration.ofMillis(d.storeTimeoutMs()));
        return d.spoolDir().isPresent() ? c.withSpoolDir(d.spoolDir().get()) : c;
    }

    static SSLContext sslContext(Path keystore, String password) {
        return sslContext(keystore, password, Optional.empty(), "");
    }

    /** With a truststore, client certificates are checked against it (not against the JDK's public CAs). */
    static SSLContext sslContext(Path keystore, String password, Optional<Path> truststore, String truststorePassword) {
        KeyManagerFactory kmf;
        try {
            KeyStore ks = load(keystore, password);
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password == null ? new char[0] : password.toCharArray());
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("dicom.tls.keystore", keystore + " unusable: " + e.getMessage());
        }
        TrustManagerFactory tmf = null;
        if (truststore.isPresent()) {
            try {
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(load(truststore.get(), truststorePassword));
            } catch (IOException | GeneralSecurityException e) {
                throw new ConfigException("dicom.tls.truststore", truststore.get() + " unusable: " + e.getMessage());
            }
        }
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new ConfigException("dicom.tls.keystore", keystore + " unusable: " + e.getMessage());
        }
    }

    private static KeyStore load(Path store, String password) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password == null ? new char[0] : password.toCharArray());
            return ks;
        }
    }

    public int port() {
        return server.port();
    }

    public DicomServer server() {
        return server;
    }

    /** Stops accepting first, then flushes the producer, so no acknowledged instance is left in memory. */
    @Override
    public void close() {
        server.close();
        sink.close();
    }
}
