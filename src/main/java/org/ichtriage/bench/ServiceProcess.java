package org.ichtriage.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.ichtriage.kafka.EmbeddedKafka;

/**
 * One `ich-triage run --role ROLE` child process of the soak, on its own state folder, which it keeps
 * across kills and restarts. Its peak resident memory (the kernel's VmHWM) is sampled while it lives,
 * because the figure dies with the process.
 */
final class ServiceProcess implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

    private final String role;
    private final Path folder;
    private final SoakBenchmark.Launch launch;
    private final List<String> roleArguments;
    private final int httpPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;
    private int starts;
    private long peakRssKb;

    /**
     * @param roleArguments arguments of this role only, e.g. the DICOM port of the ingest
     */
    ServiceProcess(String role, Path folder, SoakBenchmark.Launch launch, List<String> roleArguments) {
        this.role = role;
        this.folder = folder;
        this.launch = launch;
        this.roleArguments = List.copyOf(roleArguments);
        this.httpPort = EmbeddedKafka.freePort("127.0.0.1");
    }

    String role() {
        return role;
    }

    /** Starts the process and waits until /health/ready answers 200; returns the milliseconds that took. */
    synchronized long start(String bootstrapServers) throws IOException, InterruptedException {
        Path state = folder.resolve("state");
        Path rocksdbNative = Files.createDirectories(state.resolve("native").resolve("rocksdb"));
        // the class path goes through an @argfile: ONNX Runtime crashes at start-up on a JVM command line over ~4000 characters
        Path argFile = folder.resolve("java.args");
        Files.writeString(argFile, "-cp \"" + launch.classPath().replace("\\", "\\\\") + "\"\n");
        List<String> cmd = new ArrayList<>();
        cmd.add(launch.javaBin());
        cmd.addAll(launch.jvmOptions());
        cmd.add("@" + argFile);
        cmd.add(launch.mainClass());
        cmd.addAll(List.of("run", "--role", role, "--bootstrap-servers", bootstrapServers, "--state-dir", state.toString(),
                "--http-port", Integer.toString(httpPort)));
        cmd.addAll(roleArguments);
        cmd.addAll(launch.serviceArguments());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(folder.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(folder.resolve("service.log").toFile()));
        pb.environment().put("ROCKSDB_SHAREDLIB_DIR", rocksdbNative.toString());
        long t0 = System.nanoTime();
        process = pb.start();
        starts++;
        awaitReady();
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(role + " exited with " + process.exitValue() + " before it was ready; see "
                        + folder.resolve("service.log"));
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // the health server is not up yet
            }
            sampleRss();
            Thread.sleep(250);
        }
        throw new IOException(role + " not ready within " + READY_TIMEOUT.toSeconds() + " s; see " + folder.resolve("service.log"));
    }

    /** SIGKILL (Process.destroyForcibly on Linux): no shutdown hook, no final commit. */
    synchronized void kill() throws InterruptedException {
        sampleRss();
        process.destroyForcibly();
        process.waitFor();
    }

    synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    synchronized int exitValue() {
        return process.exitValue();
    }

    synchronized int starts() {
        return starts;
    }

    /** The largest VmHWM seen over all of this role's processes, in kB. */
    synchronized long peakRssKb() {
        return peakRssKb;
    }

    synchronized void sampleRss() {
        if (process == null || !process.isAlive()) {
            return;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    peakRssKb = Math.max(peakRssKb, Long.parseLong(line.substring(6).trim().split("\\s+")[0]));
                }
            }
        } catch (IOException | NumberFormatException goneMeanwhile) {
            // the process ended between the check and the read; its last sample stands
        }
    }

    Path log() {
        return folder.resolve("service.log");
    }

    /** A clean stop (SIGTERM, the service's shutdown hook), SIGKILL after 30 s. */
    @Override
    public synchronized void close() throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        sampleRss();
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
