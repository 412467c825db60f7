package org.ichtriage.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.ichtriage.Topics;
import org.ichtriage.cli.RunCommandIT;
import org.ichtriage.dicom.codec.DicomLimits;
import org.ichtriage.dicom.codec.DicomReader;
import org.ichtriage.dicom.codec.Tag;
import org.ichtriage.dicom.codec.TransferSyntax;
import org.ichtriage.dicom.net.Dcmtk;
import org.ichtriage.events.InstanceHeaders;
import org.ichtriage.kafka.EmbeddedKafka;
import org.ichtriage.phantom.SyntheticCtSeries;
import org.ichtriage.testing.TopicRecords;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * `ich-triage run` (role all, embedded broker) as its own JVM with its state folder on a small tmpfs,
 * which the test fills. Below disk.min-free-mb storescu gets A700 with the reason, echoscu still gets
 * Success and /health/ready is 503; freeing the space lifts both with no restart, and every image
 * answered Success is on ich.instances.v1. Then the tmpfs is filled to the last byte: the broker's log
 * folder fails, and the process must stay up, NOT_READY, refusing with A700.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FullDiskIT {
    private static final int TMPFS_MB = 192; // at start the state folder holds about 95 MiB: RocksDB stores of the worker, ONNX Runtime's native library
    private static final int MIN_FREE_MB = 24;
    private static final long MIB = 1024 * 1024;

    @TempDir
    static Path tmp;
    private static Path state;
    private static boolean mounted;
    private static Process service;
    private static int httpPort;
    private static int dicomPort;
    private static String bootstrap;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startOnASmallTmpfs() throws Exception {
        assumeTrue(Dcmtk.available(), "dcmtk (storescu, echoscu) not installed");
        state = Files.createDirectories(tmp.resolve("state"));
        Dcmtk.Result mount = Dcmtk.run(30, List.of("mount", "-t", "tmpfs", "-o", "size=" + TMPFS_MB + "m", "tmpfs", state.toString()));
        if (mount.exitCode() != 0) {
            abort("cannot mount a tmpfs to fill (needs root): " + mount.output().strip());
        }
        mounted = true;
        httpPort = EmbeddedKafka.freePort("127.0.0.1");
        dicomPort = EmbeddedKafka.freePort("127.0.0.1");
        int kafkaPort = EmbeddedKafka.freePort("127.0.0.1");
        bootstrap = "127.0.0.1:" + kafkaPort;
        List<String> cmd = RunCommandIT.javaCommand(tmp);
        cmd.addAll(List.of("run", "--state-dir", state.toString(), "--http-port", String.valueOf(httpPort),
                "--dicom-port", String.valueOf(dicomPort), "--set", "kafka.embedded.port=" + kafkaPort,
                "--set", "model.path=" + RunCommandIT.TEST_MODEL, "--set", "disk.min-free-mb=" + MIN_FREE_MB,
                "--set", "disk.check-interval-ms=200"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("out.log").toFile());
        pb.environment().remove("KAFKA_BOOTSTRAP_SERVERS");
        service = pb.start();
        awaitReady(r -> r.statusCode() == 200, Duration.ofSeconds(120), "ready at start");
    }

    @AfterAll
    static void stopAndUnmount() throws Exception {
        try {
            if (service != null) {
                long t0 = System.nanoTime();
                service.destroy();
                boolean stopped = service.waitFor(60, TimeUnit.SECONDS);
                if (!stopped) {
                    service.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
                System.out.printf("FullDiskIT: the service %s in %d ms after SIGTERM%n", stopped ? "stopped" : "did not stop, killed",
                        (System.nanoTime() - t0) / 1_000_000);
            }
        } finally {
            if (mounted) {
                Dcmtk.Result u = Dcmtk.run(30, List.of("umount", state.toString()));
                if (u.exitCode() != 0) {
                    Dcmtk.run(30, List.of("umount", "-l", state.toString()));
                }
            }
        }
    }

    @Test
    @Order(1)
    void belowTheFloorStoresAreRefusedWithTheReasonAndSpaceReturningLiftsItWithoutRestart() throws Exception {
        List<Path> before = SyntheticCtSeries.write(tmp.resolve("before"), 4, 64, TransferSyntax.EXPLICIT_VR_LE, 31);
        assertEquals(List.of("Success", "Success", "Success", "Success"), storeAnswers(before));

        Path filler = state.resolve("filler.bin");
        long freeMib = fill(filler, (MIN_FREE_MB - 8) * MIB);
        assertTrue(freeMib < MIN_FREE_MB, "filled to " + freeMib + " MiB free");
        HttpResponse<String> notReady = awaitReady(r -> r.statusCode() == 503 && r.body().contains("disk.min-free-mb=" + MIN_FREE_MB),
                Duration.ofSeconds(10), "NOT_READY for the disk");
        assertTrue(notReady.body().contains("\"disk\":\"state.dir/kafka (" + state.resolve("kafka").toAbsolutePath() + ") has "),
                notReady.body());

        List<Path> during = SyntheticCtSeries.write(tmp.resolve("during"), 3, 64, TransferSyntax.EXPLICIT_VR_LE, 32);
        Dcmtk.Result refused = Dcmtk.storescu(dicomPort, "ICHTRIAGE", List.of("--no-halt", "-d"), during);
        assertEquals(List.of(0xA700, 0xA700, 0xA700), statuses(refused), refused.output());
        assertTrue(refused.output().contains("state.dir/kafka: ") && refused.output().contains(" MiB free < disk.min-free-mb=" + MIN_FREE_MB),
                "the Error Comment names the folder, its free space and the setting: " + refused.output());

        Dcmtk.Result echo = Dcmtk.echoscu(dicomPort, "ICHTRIAGE");
        assertEquals(0, echo.exitCode(), echo.output());
        assertTrue(echo.output().contains("Received Echo Response (Success)"), echo.output());
        assertEquals(200, get("/health/live").statusCode());
        assertTrue(service.isAlive(), log());

        Files.delete(filler);
        awaitReady(r -> r.statusCode() == 200, Duration.ofSeconds(10), "READY again once space returned");
        List<Path> after = SyntheticCtSeries.write(tmp.resolve("after"), 4, 64, TransferSyntax.EXPLICIT_VR_LE, 33);
        assertEquals(List.of("Success", "Success", "Success", "Success"), storeAnswers(after));

        Set<String> acknowledged = new HashSet<>(sopInstanceUids(before));
        acknowledged.addAll(sopInstanceUids(after));
        List<ConsumerRecord<String, byte[]>> records = TopicRecords.await(bootstrap, Topics.INSTANCES, acknowledged.size(),
                Duration.ofSeconds(30), Duration.ofSeconds(1));
        Set<String> onTopic = new HashSet<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            onTopic.add(new String(r.headers().lastHeader(InstanceHeaders.SOP_INSTANCE_UID).value(), StandardCharsets.UTF_8));
        }
        assertEquals(acknowledged, onTopic, "every Success on the topic, nothing refused on it");

        String log = log();
        assertEquals(1, count(log, "WARN", "disk nearly full: state.dir/kafka"), log);
        assertEquals(1, count(log, "INFO", "disk space recovered"), log);
    }

    @Test
    @Order(2)
    void aBrokerWhoseLogFolderFailsDoesNotEndTheProcess() throws Exception {
        Path filler = state.resolve("filler-to-the-last-byte.bin");
        long freeMib = fill(filler, 0);
        assertEquals(0, freeMib);
        // The controller appends to its metadata log every 500 ms; on a full disk that write fails and Kafka gives up the
        // folder. The disk must stay full until then, as a real one does: Kafka Streams wipes the folders of the tasks its
        // failing threads drop, which frees space, so whatever is freed is taken again.
        AtomicBoolean keepFull = new AtomicBoolean(true);
        Thread topUp = new Thread(() -> {
            while (keepFull.get()) {
                try {
                    fillMore(filler);
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "keep-the-disk-full");
        topUp.start();
        HttpResponse<String> failed;
        try {
            failed = awaitReady(r -> r.statusCode() == 503 && r.body().contains("embedded Kafka broker failed"),
                    Duration.ofSeconds(60), "NOT_READY for the failed broker");
        } finally {
            keepFull.set(false);
            topUp.join();
        }
        assertTrue(failed.body().contains("\"kafka-broker\":\"embedded Kafka broker failed: Kafka asked to "), failed.body());
        Thread.sleep(2000);
        assertTrue(service.isAlive(), "Kafka ended the process: " + log());
        assertEquals(200, get("/health/live").statusCode());

        Files.delete(filler);
        awaitReady(r -> r.statusCode() == 503 && !r.body().contains("disk.min-free-mb"), Duration.ofSeconds(10),
                "the disk recovered, the broker stays failed");
        List<Path> afterFailure = SyntheticCtSeries.write(tmp.resolve("after-failure"), 2, 64, TransferSyntax.EXPLICIT_VR_LE, 34);
        Dcmtk.Result refused = Dcmtk.storescu(dicomPort, "ICHTRIAGE", List.of("--no-halt", "-d"), afterFailure);
        assertEquals(List.of(0xA700, 0xA700), statuses(refused), refused.output());
        assertTrue(refused.output().contains("embedded Kafka broker failed; restart needed"), refused.output());
        Dcmtk.Result echo = Dcmtk.echoscu(dicomPort, "ICHTRIAGE");
        assertEquals(0, echo.exitCode(), echo.output());
        assertTrue(service.isAlive(), log());
        String log = log();
        assertEquals(1, count(log, "ERROR", "embedded Kafka broker failed: Kafka asked to "), log);

        // the operator's way out is a restart, so a failed broker must not keep the process from stopping
        long t0 = System.nanoTime();
        service.destroy();
        assertTrue(service.waitFor(60, TimeUnit.SECONDS), "still running 60 s after SIGTERM: " + log());
        System.out.printf("FullDiskIT: with a failed broker the service stopped %d ms after SIGTERM%n", (System.nanoTime() - t0) / 1_000_000);
    }

    /** Appends to {@code filler} until the file system has no space left. */
    private static void fillMore(Path filler) {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler, java.nio.file.StandardOpenOption.APPEND)) {
            while (Files.getFileStore(state).getUsableSpace() > 0) {
                out.write(block);
                out.flush();
            }
        } catch (IOException noSpaceLeft) {
            // full: what was wanted
        }
    }

    /** Writes 1 MiB blocks until the file system has at most {@code leaveBytes} free (or none); returns the MiB left. */
    private static long fill(Path filler, long leaveBytes) throws IOException {
        byte[] block = new byte[(int) MIB];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (Files.getFileStore(state).getUsableSpace() > leaveBytes) {
                out.write(block, 0, (int) Math.min(block.length, Math.max(4096, Files.getFileStore(state).getUsableSpace() - leaveBytes)));
                out.flush();
            }
        } catch (IOException noSpaceLeft) {
            if (leaveBytes > 0) {
                throw noSpaceLeft;
            }
        }
        return Files.getFileStore(state).getUsableSpace() / MIB;
    }

    private static List<String> storeAnswers(List<Path> files) throws Exception {
        Dcmtk.Result r = Dcmtk.storescu(dicomPort, "ICHTRIAGE", List.of("--no-halt"), files);
        return answers(r);
    }

    /** The status of each Store Response, in the order storescu sent the files. */
    private static List<String> answers(Dcmtk.Result r) {
        List<String> out = new ArrayList<>();
        for (String line : r.output().lines().toList()) {
            int i = line.indexOf("Received Store Response (");
            if (i >= 0) {
                out.add(line.substring(i + "Received Store Response (".length(), line.lastIndexOf(')')));
            }
        }
        return out;
    }

    /** The DIMSE Status of each response in storescu's debug output (-d), in the order the files were sent. */
    private static List<Integer> statuses(Dcmtk.Result r) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("DIMSE Status\\s*:\\s*0x([0-9A-Fa-f]{4})").matcher(r.output());
        List<Integer> out = new ArrayList<>();
        while (m.find()) {
            out.add(Integer.parseInt(m.group(1), 16));
        }
        return out;
    }

    private static List<String> sopInstanceUids(List<Path> files) throws Exception {
        List<String> out = new ArrayList<>();
        for (Path f : files) {
            out.add(DicomReader.readPart10(Files.readAllBytes(f), DicomLimits.DEFAULT).dataset().getString(Tag.SOPInstanceUID));
        }
        return out;
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> awaitReady(Predicate<HttpResponse<String>> wanted, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<String> last = null;
        while (System.nanoTime() < deadline) {
            assertTrue(service.isAlive(), () -> "process ended while waiting for " + what + ": " + log());
            try {
                last = get("/health/ready");
                if (wanted.test(last)) {
                    return last;
                }
            } catch (IOException notListeningYet) {
                // the HTTP port opens a moment after the JVM starts
            }
            Thread.sleep(100);
        }
        HttpResponse<String> seen = last;
        assertFalse(true, () -> "never " + what + "; last /health/ready: " + (seen == null ? "none" : seen.statusCode() + " " + seen.body())
                + "\n" + log());
        return last;
    }

    private static long count(String log, String level, String text) {
        return log.lines().filter(l -> l.contains(level) && l.contains(text)).count();
    }

    private static String log() {
        try {
            return Files.readString(tmp.resolve("out.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
