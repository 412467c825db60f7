package org.ichtriage.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;

/**
 * A single-node KRaft broker (combined broker + controller) inside this JVM, bound to loopback; or,
 * made by {@link #cluster}, one node of a local multi-node cluster for failover tests.
 *
 * <p>This is the only class that touches Kafka's server internals (KafkaRaftServer, KafkaConfig,
 * StorageTool, Exit): they carry no compatibility promise, so kafka.version is pinned in the pom and any
 * upgrade only has to be checked here.
 *
 * <p>A broker ends its process on a fatal error (its log folder failed, typically because the disk is
 * full): Kafka calls {@link Exit#halt}, which would take the DICOM listener and every acknowledged-image
 * promise with it. While an embedded broker runs, Kafka's exit and halt are turned into "this broker
 * failed": {@link #failure()} then says why, ingest refuses and /health/ready is NOT_READY, and the
 * process stays up for the operator. Kafka's Exit is process-wide and does not say which broker asked,
 * so every embedded broker of the process is marked failed (a service runs one). The CLI's own exit
 * codes go through System.exit and are not affected.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final Path dataDir;
    private final String host;
    private final int brokerPort;
    private final int controllerPort;
    private final Optional<ClusterMember> member;
    private KafkaRaftServer server;
    private volatile String failure;
    private static final long FAILED_SHUTDOWN_WAIT_MS = 5000;

    /** Embedded brokers started and not yet closed; while there is one, Kafka's exit and halt only mark them failed. */
    private static final Set<EmbeddedKafka> RUNNING = ConcurrentHashMap.newKeySet();

    /**
     * One node of a local cluster: every node is a combined broker + controller and votes in the
     * controller quorum, so the cluster keeps a quorum (2 of 3) while any one node is down, and all
     * nodes are formatted with the one cluster id.
     *
     * @param quorumVoters Kafka's {@code controller.quorum.voters}: id@host:controllerPort of every node
     */
    public record ClusterMember(int nodeId, int brokerPort, int controllerPort, String quorumVoters, String clusterId) {
        int clusterSize() {
            return quorumVoters.split(",").length;
        }
    }

    /**
     * @param dataDir log folder; formatted on first use only (when meta.properties is missing) and reused after
     * @param brokerPort client port, 0 picks a free one
     */
    public EmbeddedKafka(Path dataDir, String host, int brokerPort) {
        this.dataDir = dataDir;
        this.host = host;
        this.brokerPort = brokerPort == 0 ? freePort(host) : brokerPort;
        this.controllerPort = freePort(host);
        this.member = Optional.empty();
    }

    private EmbeddedKafka(Path dataDir, String host, ClusterMember member) {
        this.dataDir = dataDir;
        this.host = host;
        this.brokerPort = member.brokerPort();
        this.controllerPort = member.controllerPort();
        this.member = Optional.of(member);
    }

    /**
     * The nodes of a local cluster of {@code size} nodes (ids 1..size, data in {@code baseDir}/node-ID),
     * not started. Internal topics get replication factor min(3, size) and min.insync.replicas one
     * less, as a production cluster would have. A node's {@link #close()} is no controlled shutdown:
     * to the others it looks like a crash (leadership moves only when the controller fences the node,
     * broker.session.timeout.ms later). {@link #start()} after close() restarts it on its ports and data.
     */
    public static List<EmbeddedKafka> cluster(Path baseDir, String host, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a cluster needs at least one node, not " + size);
        }
        List<int[]> ports = new ArrayList<>();
        for (int id = 1; id <= size; id++) {
            ports.add(new int[] {freePort(host), freePort(host)});
        }
        String voters = java.util.stream.IntStream.rangeClosed(1, size)
                .mapToObj(id -> id + "@" + host + ":" + ports.get(id - 1)[1]).collect(Collectors.joining(","));
        String clusterId = Uuid.randomUuid().toString();
        List<EmbeddedKafka> nodes = new ArrayList<>();
        for (int id = 1; id <= size; id++) {
            nodes.add(new EmbeddedKafka(baseDir.resolve("node-" + id), host,
                    new ClusterMember(id, ports.get(id - 1)[0], ports.get(id - 1)[1], voters, clusterId)));
        }
        return nodes;
    }

    /** The bootstrap servers of all the nodes, comma-separated. */
    public static String bootstrapServers(List<EmbeddedKafka> nodes) {
        return nodes.stream().map(EmbeddedKafka::bootstrapServers).collect(Collectors.joining(","));
    }

    /** Kafka's node id: 1 for a single node, as given for a cluster member. */
    public int nodeId() {
        return member.map(ClusterMember::nodeId).orElse(1);
    }

    /** Ports this JVM has handed out: a port is free when asked, not when its user binds it. */
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A port that is free now and that this JVM has not handed out before. The kernel may give the
     * same ephemeral port to two probes in a row (seen: the broker's client and controller listeners
     * got one port and the broker failed to start), so a port is never handed out twice.
     */
    public static int freePort(String host) {
        IOException last = null;
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(host, 0));
                int port = s.getLocalPort();
                if (HANDED_OUT.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                last = e;
            }
        }
        throw new IllegalStateException("no free port on " + host + " in 100 attempts", last);
    }

    public String bootstrapServers() {
        return host + ":" + brokerPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    public synchronized EmbeddedKafka start() throws IOException {
        if (server != null) {
            return this;
        }
        Files.createDirectories(dataDir);
        Properties props = brokerProperties();
        formatOnce(props);
        long t0 = System.nanoTime();
        KafkaRaftServer s = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        running(this);
        try {
            s.startup();
        } catch (RuntimeException e) {
            s.shutdown();
            stopped(this);
            throw new IOException("embedded Kafka broker failed to start on " + bootstrapServers()
                    + " (data " + dataDir + "): " + e.getMessage(), e);
        }
        server = s;
        log.info("embedded Kafka broker {} listening on {} (data {}), started in {} ms",
                nodeId(), bootstrapServers(), dataDir, (System.nanoTime() - t0) / 1_000_000);
        return this;
    }

    /**
     * Empty while the broker works; otherwise why it stopped working (Kafka asked to end the process,
     * typically because its log folder failed). A failed broker does not recover: restart the process
     * once the cause is fixed.
     */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    private static synchronized void running(EmbeddedKafka broker) {
        if (RUNNING.isEmpty()) {
            Exit.setExitProcedure((status, message) -> kafkaAskedToEnd("exit", status, message));
            Exit.setHaltProcedure((status, message) -> kafkaAskedToEnd("halt", status, message));
        }
        RUNNING.add(broker);
    }

    private static synchronized void stopped(EmbeddedKafka broker) {
        if (RUNNING.remove(broker) && RUNNING.isEmpty()) {
            Exit.resetExitProcedure();
            Exit.resetHaltProcedure();
        }
    }

    /** Returns instead of ending the process: Kafka's callers log and go on (the failed log folder stays offline). */
    private static void kafkaAskedToEnd(String how, int status, String message) {
        for (EmbeddedKafka broker : RUNNING) {
            broker.markFailed(how, status, message);
        }
    }

    private synchronized void markFailed(String how, int status, String message) {
        if (failure != null) {
            return;
        }
        String free;
        try {
            free = Files.getFileStore(dataDir).getUsableSpace() / (1024 * 1024) + " MiB free";
        } catch (IOException | RuntimeException e) {
            free = "free space unreadable: " + e.getMessage();
        }
        failure = "embedded Kafka broker failed: Kafka asked to " + how + " the process (status " + status
                + (message == null ? "" : ", " + message) + "); its log folder " + dataDir.toAbsolutePath() + " has " + free
                + ". The process stays up, ingest refuses; restart it once the cause (usually a full disk) is fixed";
        // the stack says which Kafka component gave up; Kafka logged its own reason just before
        log.error("{}", failure, new IllegalStateException("Kafka's " + how + " call, turned into a broker failure"));
    }

    /**
     * A broker whose log folder failed waits for its controller, whose thread died with the folder, and
     * never finishes shutting down (seen: still waiting after 30 s). Its shutdown gets a bounded time on
     * a daemon thread so that the process can still stop, and be restarted once the disk is fixed.
     */
    private boolean shutDownFailed() {
        KafkaRaftServer s = server;
        Thread t = new Thread(() -> {
            s.shutdown();
            s.awaitShutdown();
        }, "failed-embedded-kafka-shutdown");
        t.setDaemon(true);
        t.start();
        try {
            t.join(FAILED_SHUTDOWN_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            log.warn("the failed embedded Kafka broker did not stop within {} ms; leaving it to the end of the process", FAILED_SHUTDOWN_WAIT_MS);
            return false;
        }
        return true;
    }

    private Properties brokerProperties() {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(nodeId()));
        p.put("controller.quorum.voters", member.map(ClusterMember::quorumVoters).orElse("1@" + host + ":" + controllerPort));
        p.put("listeners", "PLAINTEXT://" + host + ":" + brokerPort + ",CONTROLLER://" + host + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + host + ":" + brokerPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dataDir.toAbsolutePath().toString());
        p.put("num.partitions", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // After a kill -9 the restarted broker may register again only once the controller (itself, restarted) lets the
        // old registration's session lapse: 9 s by default, half of a restart. Heartbeats every 0.5 s keep 8 chances
        // to answer within the shorter session, so a busy machine does not fence its own broker.
        p.put("broker.heartbeat.interval.ms", "500");
        p.put("broker.session.timeout.ms", "4000");
        // A worker killed inside its transaction keeps the committed offsets of its partitions unstable until the
        // transaction times out (pipeline.transaction-timeout-ms) and the coordinator aborts it; the coordinator
        // looks for such transactions every 10 s by default, every second here.
        p.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
        // A 512x512 slice is about 525 KB and a SEG of a large lesion a few MB; the per-topic limits
        // are set on the topics themselves (Topics), this only lifts the broker-wide ceiling.
        p.put("message.max.bytes", String.valueOf(32 * 1024 * 1024));
        p.put("replica.fetch.max.bytes", String.valueOf(32 * 1024 * 1024));
        p.put("auto.create.topics.enable", "false");
        member.filter(m -> m.clusterSize() > 1).ifPresent(m -> clusterProperties(p, m.clusterSize()));
        return p;
    }

    /** What a replicated cluster sets: internal topics on several nodes, writes confirmed by more than one. */
    private static void clusterProperties(Properties p, int size) {
        String replicas = Integer.toString(Math.min(3, size));
        String minInsync = Integer.toString(Math.min(3, size) - 1);
        for (String rf : List.of("offsets.topic.replication.factor", "transaction.state.log.replication.factor",
                "share.coordinator.state.topic.replication.factor", "default.replication.factor")) {
            p.put(rf, replicas);
        }
        for (String isr : List.of("transaction.state.log.min.isr", "share.coordinator.state.topic.min.isr", "min.insync.replicas")) {
            p.put(isr, minInsync);
        }
        // an out-of-sync replica must never become leader: it would drop writes already confirmed
        p.put("unclean.leader.election.enable", "false");
        // close() is a crash as far as the other nodes can tell, which is what failover tests need
        p.put("controlled.shutdown.enable", "false");
    }

    /** Formats the log folder with a fresh cluster id, only when it was never formatted. */
    private void formatOnce(Properties props) throws IOException {
        if (Files.exists(dataDir.resolve("meta.properties"))) {
            return;
        }
        Path cfg = dataDir.resolve("embedded-server.properties");
        try (Writer w = Files.newBufferedWriter(cfg, StandardCharsets.UTF_8)) {
            props.store(w, "written by ich-triage for formatting only");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc;
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(new String[] {
                    "format", "--config", cfg.toString(),
                    "--cluster-id", member.map(ClusterMember::clusterId).orElseGet(() -> Uuid.randomUuid().toString()),
                    "--ignore-formatted"}, ps);
        }
        if (rc != 0) {
            throw new IOException("formatting Kafka data folder " + dataDir + " failed (exit " + rc + "): "
                    + out.toString(StandardCharsets.UTF_8).trim());
        }
    }

    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        long t0 = System.nanoTime();
        boolean stoppedFully = true;
        if (failure != null) {
            stoppedFully = shutDownFailed();
        } else {
            server.shutdown();
            server.awaitShutdown();
        }
        server = null;
        if (stoppedFully) {
            stopped(this);
        } // else its threads may still call Kafka's exit or halt, which must keep meaning "failed"
        log.info("embedded Kafka broker {} stopped in {} ms", nodeId(), (System.nanoTime() - t0) / 1_000_000);
    }
}
