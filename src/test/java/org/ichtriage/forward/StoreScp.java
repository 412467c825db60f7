package org.ichtriage.forward;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * dcmtk storescp as a real PACS stand-in: bit-preserving (+B), so a received file holds the dataset
 * exactly as it came over the wire. It binds all interfaces (dcmtk has no bind option); tests only.
 */
final class StoreScp implements AutoCloseable {
    private final Process process;
    private final Path dir;

    private StoreScp(Process process, Path dir) {
        this.process = process;
        this.dir = dir;
    }

    static boolean available() {
        return Files.isExecutable(Path.of("/usr/bin/storescp"));
    }

    /** For {@code @ExtendWith}: the tests of a class that needs storescp are skipped where it is not installed. */
    static final class Required implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            assumeTrue(available(), "dcmtk storescp is not installed (make test installs it)");
        }
    }

    static StoreScp start(Path dir, int port, String aet) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Process p = new ProcessBuilder("storescp", "-v", "+B", "-aet", aet, "-od", dir.toString(), Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(dir.resolveSibling(dir.getFileName() + ".log").toFile()).start();
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("storescp exited with " + p.exitValue() + " (port " + port + " taken?)");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return new StoreScp(p, dir);
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new IOException("storescp did not listen on port " + port + " within 10 s");
    }

    List<Path> received() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
