package org.ichtriage.ingest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.ichtriage.app.EmbeddedKafka;
import org.ichtriage.dicom.codec.TransferSyntax;
import org.ichtriage.dicom.net.DicomServer;
import org.ichtriage.dicom.net.ScpConfig;
import org.ichtriage.dicom.net.StoreStatus;

/**
 * Ingest throughput: dcmtk storescu sends N synthetic 512x512 CT slices over loopback to our SCP
 * (with the acknowledged Kafka write to an embedded broker) and, in the same run, to dcmtk storescp
 * writing to tmpfs. Prints images/s for both and the ratio (target: ours >= 0.8x storescp).
 *
 * <p>Run: {@code java -cp target/classes:target/lib/* org.ichtriage.ingest.IngestBenchmark [N] [rounds]}
 */
public final class IngestBenchmark {
    private IngestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path shm = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
        Path work = Files.createTempDirectory(shm, "ich-bench-");
        Path kafkaDir = Files.createTempDirectory("ich-bench-kafka-");
        try {
            run(n, rounds, work, kafkaDir);
        } finally {
            deleteTree(work);
            deleteTree(kafkaDir);
        }
    }

    private static void run(int n, int rounds, Path work, Path kafkaDir) throws Exception {
        Path src = work.resolve("src");
        SyntheticCtSeries.write(src, n, 512, TransferSyntax.EXPLICIT_VR_LE, 1);
        Path warm = work.resolve("warm");
        SyntheticCtSeries.write(warm, 20, 512, TransferSyntax.EXPLICIT_VR_LE, 2);
        long bytes;
        try (Stream<Path> s = Files.list(src)) {
            bytes = s.mapToLong(p -> p.toFile().length()).sum();
        }
        System.out.printf("ingest benchmark: %d slices of 512x512 (%.1f MB), %d rounds, dcmtk with TCP_NODELAY=1%n",
                n, bytes / 1e6, rounds);
        try (EmbeddedKafka kafka = new EmbeddedKafka(kafkaDir, "127.0.0.1", 0).start()) {
            Properties client = new Properties();
            client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (Admin a = Admin.create(client)) {
                a.createTopics(List.of(new NewTopic(IngestConfig.INSTANCES_TOPIC, 4, (short) 1)
                        .configs(Map.of("max.message.bytes", Integer.toString(16 * 1024 * 1024))))).all().get(30, TimeUnit.SECONDS);
            }
            AtomicInteger ok = new AtomicInteger();
            AtomicInteger bad = new AtomicInteger();
            try (KafkaInstanceSink sink = new KafkaInstanceSink(IngestConfig.defaults(), client);
                 DicomServer server = DicomServer.start(ScpConfig.defaults().withPort(0), req -> {
                     StoreStatus st = sink.store(req);
                     (st.isSuccess() ? ok : bad).incrementAndGet();
                     return st;
                 })) {
                int port = server.port();
                storescuToUs(port, warm);
                storescpRun(work, warm);
                double bestUs = 0;
                double bestDcmtk = 0;
                double bestBare = 0;
                for (int r = 1; r <= rounds; r++) {
                    ok.set(0);
                    bad.set(0);
                    long t0 = System.nanoTime();
                    int rc = storescuToUs(port, src);
                    double us = n / ((System.nanoTime() - t0) / 1e9);
                    if (rc != 0 || ok.get() != n) {
                        throw new IllegalStateException("round " + r + ": storescu exit " + rc + ", " + ok.get()
                                + " acknowledged by Kafka, " + bad.get() + " failed");
                    }
                    double dc = n / (storescpRun(work, src) / 1e9);
                    double bare = bareScp(src, n);
                    System.out.printf("round %d: ich-triage SCP + Kafka %.1f images/s, dcmtk storescp -> tmpfs %.1f images/s, ratio %.2f"
                            + " (our SCP with a no-op handler: %.1f images/s)%n", r, us, dc, us / dc, bare);
                    bestBare = Math.max(bestBare, bare);
                    bestUs = Math.max(bestUs, us);
                    bestDcmtk = Math.max(bestDcmtk, dc);
                }
                System.out.printf("best of %d: ich-triage SCP + Kafka (acks=all) %.1f images/s; dcmtk storescp -> tmpfs %.1f images/s; ratio %.2f (target >= 0.80)%n",
                        rounds, bestUs, bestDcmtk, bestUs / bestDcmtk);
                System.out.printf("our SCP alone (no Kafka, no parse): %.1f images/s, ratio %.2f to storescp%n", bestBare, bestBare / bestDcmtk);
            }
        }
    }

    /** Our network layer alone: the same transfer into a handler that only counts. */
    private static double bareScp(Path src, int n) throws IOException, InterruptedException {
        AtomicInteger count = new AtomicInteger();
        try (DicomServer bare = DicomServer.start(ScpConfig.defaults().withPort(0), req -> {
            count.incrementAndGet();
            return StoreStatus.OK;
        })) {
            long t0 = System.nanoTime();
            int rc = storescuToUs(bare.port(), src);
            double rate = n / ((System.nanoTime() - t0) / 1e9);
            if (rc != 0 || count.get() != n) {
                throw new IllegalStateException("bare SCP run: exit " + rc + ", " + count.get() + " received");
            }
            return rate;
        }
    }

    private static int storescuToUs(int port, Path dir) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("storescu", "-aet", "BENCH", "-aec", "ICHTRIAGE", "127.0.0.1",
                Integer.toString(port), "+sd", dir.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("TCP_NODELAY", "1");
        Process p = pb.start();
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("storescu timed out");
        }
        return p.exitValue();
    }

    /**
     * storescu -> storescp inside a private network namespace where possible (storescp cannot bind to
     * loopback only), timed inside the same shell; returns nanoseconds for the storescu run.
     */
    private static long storescpRun(Path work, Path dir) throws IOException, InterruptedException {
        Path out = work.resolve("storescp-out");
        deleteTree(out);
        Files.createDirectories(out);
        int port = freePort();
        String script = String.join("\n",
                "ip link set lo up 2>/dev/null",
                "storescp -aet STORESCP -od '" + out + "' " + port + " & pid=$!",
                "for i in $(seq 1 100); do echoscu -aec STORESCP 127.0.0.1 " + port + " >/dev/null 2>&1 && break; sleep 0.05; done",
                "t0=$(date +%s%N)",
                "storescu -aet BENCH -aec STORESCP 127.0.0.1 " + port + " +sd '" + dir + "' >/dev/null 2>&1; rc=$?",
                "t1=$(date +%s%N)",
                "kill $pid; wait $pid 2>/dev/null",
                "echo \"ELAPSED $((t1 - t0)) RC $rc\"");
        boolean unshare = Files.isExecutable(Path.of("/usr/bin/unshare")) && canUnshare();
        ProcessBuilder pb = unshare ? new ProcessBuilder("unshare", "-n", "sh", "-c", script) : new ProcessBuilder("sh", "-c", script);
        pb.environment().put("TCP_NODELAY", "1");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(600, TimeUnit.SECONDS);
        String line = o.lines().filter(l -> l.startsWith("ELAPSED")).findFirst()
                .orElseThrow(() -> new IOException("storescp run failed: " + o));
        String[] f = line.split(" ");
        if (!"0".equals(f[3])) {
            throw new IOException("storescu to storescp exit " + f[3] + ": " + o);
        }
        return Long.parseLong(f[1]);
    }

    private static Boolean unshareOk;

    private static boolean canUnshare() throws IOException, InterruptedException {
        if (unshareOk == null) {
            Process p = new ProcessBuilder("unshare", "-n", "true").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            unshareOk = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        }
        return unshareOk;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
