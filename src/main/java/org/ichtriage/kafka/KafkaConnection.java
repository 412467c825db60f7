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
