package org.ichtriage.kafka;

import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.ichtriage.config.IchConfig;

/** Where Kafka is and how to talk to it: the base properties every producer, consumer and Streams app starts from. */
public record KafkaConnection(String bootstrapServers, IchConfig.Kafka settings) {

    public Properties clientProperties() {
        Properties p = settings.clientSecurityProperties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return p;
    }

    public Admin admin() {
        Properties p = clientProperties();
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        return Admin.create(p);
    }

    /** The client id of {@link #requireBroker}: its connection warnings are dropped (ExpectedKafkaWarnings), it reports itself. */
    public static final String PROBE_CLIENT_ID = "ich-triage-probe";
    /** Long enough for a broker across a busy network, short enough that a wrong port is not a wait. */
    public static final java.time.Duration PROBE_TIMEOUT = java.time.Duration.ofSeconds(3);

    /**
     * For the command-line tools: one quick question to the cluster before any consumer starts, so a
     * wrong address is one line after a few seconds instead of a consumer's retries and warnings.
     *
     * @throws org.ichtriage.UserError when no broker answers within the timeout
     */
    public void requireBroker(java.time.Duration timeout) {
        Properties p = clientProperties();
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, PROBE_CLIENT_ID);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        Admin admin = Admin.create(p);
        try {
            String reason = unreachableReason(admin, timeout.toMillis());
            if (reason != null) {
                throw new org.ichtriage.UserError("no Kafka broker answered at " + bootstrapServers + " within " + timeout.toSeconds()
                        + " s; check kafka.bootstrap-servers (--bootstrap-servers, KAFKA_BOOTSTRAP_SERVERS) or, for the embedded broker, "
                        + "kafka.embedded.port, and that the service runs");
            }
        } finally {
            admin.close(java.time.Duration.ZERO);
        }
    }

    /**
     * For the command-line tools: the configured cluster (the embedded broker's address when none is
     * set), once a broker answered within {@link #PROBE_TIMEOUT}.
     *
     * @throws org.ichtriage.UserError when no broker answers
     */
    public static KafkaConnection answering(IchConfig.Kafka settings) {
        KafkaConnection kafka = new KafkaConnection(settings.bootstrapOrEmbedded(), settings);
        kafka.requireBroker(PROBE_TIMEOUT);
        return kafka;
    }

    /** null when the cluster answered within the timeout, else why not. */
    public static String unreachableReason(Admin admin, long timeoutMs) {
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeoutMs))
                    .clusterId().get(timeoutMs + 500, TimeUnit.MILLISECONDS);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (Exception e) {
            return "Kafka not reachable: " + e.getClass().getSimpleName();
        }
    }
}
